"""The outer layer of a Kubernetes protobuf body: the `k8s\\x00` magic, then a runtime.Unknown message."""
from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.message import DecodeError

from .errors import ProtobufDecodeError
from .registry import CLASSES, UNKNOWN
from .tojson import reject_unknown

MAGIC = b"k8s\x00"
# The only payload encoding the Go serializer writes; anything else we could not read faithfully.
_PAYLOAD_TYPES = frozenset({"", "application/vnd.kubernetes.protobuf"})


@dataclass(frozen=True)
class Envelope:
    api_version: str
    kind: str
    raw: bytes  # the object's own protobuf bytes


def open_envelope(body: bytes) -> Envelope:
    if not body.startswith(MAGIC):
        raise ProtobufDecodeError("body does not start with the Kubernetes protobuf magic 'k8s\\x00'")
    try:
        unknown = CLASSES[UNKNOWN].FromString(body[len(MAGIC):])
    except DecodeError as err:
        raise ProtobufDecodeError(f"malformed runtime.Unknown envelope: {err}") from None
    reject_unknown(unknown, "")
    reject_unknown(unknown.typeMeta, "")
    if unknown.contentEncoding:
        raise ProtobufDecodeError(f"unsupported contentEncoding {unknown.contentEncoding!r} in protobuf envelope")
    if unknown.contentType not in _PAYLOAD_TYPES:
        raise ProtobufDecodeError(f"unsupported contentType {unknown.contentType!r} in protobuf envelope")
    if not unknown.typeMeta.kind:
        raise ProtobufDecodeError("protobuf envelope names no kind")
    return Envelope(api_version=unknown.typeMeta.apiVersion, kind=unknown.typeMeta.kind, raw=unknown.raw)


def seal_envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    """The body Go's protobuf serializer writes for an object whose own bytes are `raw`."""
    unknown = CLASSES[UNKNOWN](raw=raw, contentEncoding="", contentType="")
    unknown.typeMeta.apiVersion = api_version
    unknown.typeMeta.kind = kind
    return MAGIC + unknown.SerializeToString()
