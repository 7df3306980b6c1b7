"""decode_body: a protobuf request body to the dict its JSON body would have been."""
from __future__ import annotations

from typing import Any

from google.protobuf.message import DecodeError

from .envelope import open_envelope
from .errors import ProtobufDecodeError
from .registry import CLASSES, message_for
from .tojson import message_to_json


def decode_body(body: bytes, strict: bool = True) -> dict[str, Any]:
    """Decode an `application/vnd.kubernetes.protobuf` body; apiVersion and kind come from the envelope.

    Not `strict`, fields the tables do not know are dropped as Go drops them: how storage reads a value that
    a kube-apiserver of another version wrote."""
    envelope = open_envelope(body)
    name = message_for(envelope.api_version, envelope.kind)
    if name is None:
        raise ProtobufDecodeError(f"no protobuf schema for apiVersion {envelope.api_version!r}, kind "
                                  f"{envelope.kind!r}; send it as application/json")
    try:
        message = CLASSES[name].FromString(envelope.raw)
    except DecodeError as err:
        raise ProtobufDecodeError(f"malformed {name}: {err}") from None
    if not strict:
        message.DiscardUnknownFields()
    obj: dict[str, Any] = {"kind": envelope.kind, "apiVersion": envelope.api_version}
    obj.update(message_to_json(message))
    return obj
