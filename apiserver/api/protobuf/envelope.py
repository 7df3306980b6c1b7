"""The outer layer of a Kubernetes protobuf body: the `k8s\\x00` magic, then a runtime.Unknown message."""
from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.message import DecodeError

from .errors import ProtobufDecodeError
from .registry import CLASSES, UNKNOWN
from .tojson import message_to_json

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
    fields = message_to_json(unknown)  # also refuses unknown field numbers in the envelope
    type_meta = fields.get("typeMeta", {})
    if fields.get("contentEncoding"):
        raise ProtobufDecodeError(f"unsupported contentEncoding {fields['contentEncoding']!r} in protobuf envelope")
    if fields.get("contentType", "") not in _PAYLOAD_TYPES:
        raise ProtobufDecodeError(f"unsupported contentType {fields['contentType']!r} in protobuf envelope")
    if not type_meta.get("kind"):
        raise ProtobufDecodeError("protobuf envelope names no kind")
    return Envelope(api_version=type_meta.get("apiVersion", ""), kind=type_meta["kind"], raw=unknown.raw)
