"""encode_object: an object (the dict the JSON answer would carry) to a Kubernetes protobuf body, and the
length-prefixed frames of a protobuf watch stream."""
from __future__ import annotations

import struct
from typing import Any

from .envelope import seal_envelope
from .errors import ProtobufEncodeError
from .fromjson import fill_message
from .registry import CLASSES, WATCH_EVENT, message_for


def can_encode(obj: Any) -> bool:
    """Whether a table covers the object's kind (its values may still fail encode_object)."""
    return isinstance(obj, dict) and message_for(obj.get("apiVersion", ""), obj.get("kind", "")) is not None


def encode_object(obj: dict[str, Any]) -> bytes:
    """`k8s\\x00` + runtime.Unknown{typeMeta, raw}, as Go's protobuf serializer writes it."""
    api_version, kind = obj.get("apiVersion", ""), obj.get("kind", "")
    name = message_for(api_version, kind)
    if name is None:
        raise ProtobufEncodeError(f"no protobuf schema for apiVersion {api_version!r}, kind {kind!r}")
    message = CLASSES[name]()
    fill_message(message, obj)
    return seal_envelope(api_version, kind, message.SerializeToString())


def watch_frame(event_type: str, obj: dict[str, Any]) -> bytes:
    """One event of a `;stream=watch` protobuf response: a 4-byte big-endian length, then a bare
    meta/v1 WatchEvent (no envelope) whose object is the enveloped object."""
    event = CLASSES[WATCH_EVENT](type=event_type)
    event.object.raw = encode_object(obj)
    data = event.SerializeToString()
    return struct.pack(">I", len(data)) + data
