"""Walk a parsed message and build the dict its JSON body would have been.

The walk follows the tables, so it knows each field's JSON name and Go facts (pointer, omitempty,
inline), and it refuses any field the tables do not know: skipping it would quietly store an object
that differs from what the client sent.
"""
from __future__ import annotations

import base64
from typing import Any

from google.protobuf.unknown_fields import UnknownFieldSet

from .descriptors import DynamicMessage
from .errors import ProtobufDecodeError
from .registry import SPECS
from .schema import Field
from .shapes import SHAPES

# How each field is turned into JSON, decided once per field rather than on every value.
_MAP, _REPEATED, _INLINE, _MESSAGE, _TEXT, _BYTES, _NUMBER = range(7)


def _code(field: Field) -> int:
    if field.map:
        return _MAP
    if field.repeated:
        return _REPEATED
    if field.inline:
        return _INLINE
    if field.is_message:
        return _MESSAGE
    return {"string": _TEXT, "bytes": _BYTES}.get(field.type, _NUMBER)


# message name → field number → (field, how to convert it, whether its zero value is still printed)
_FIELDS: dict[str, dict[int, tuple[Field, int, bool]]] = {
    name: {f.number: (f, _code(f), f.pointer or f.always) for f in spec.fields} for name, spec in SPECS.items()}
_SHAPES = {name: SHAPES[spec.shape] for name, spec in SPECS.items() if spec.shape}


def message_to_json(message: DynamicMessage, path: str = "") -> Any:
    """The JSON value of `message`; `path` (a JSON path such as `spec.ports[0]`) only serves error messages."""
    reject_unknown(message, path)
    name = message.DESCRIPTOR.full_name
    shape = _SHAPES.get(name)
    if shape is not None:
        return shape.read(message)
    fields = _FIELDS[name]
    out: dict[str, Any] = {}
    for descriptor, value in message.ListFields():
        field, code, keep_zero = fields[descriptor.number]
        if code == _TEXT:
            if isinstance(value, bytes):
                value = _text(value, "")
            if keep_zero or value != "":
                out[field.name] = value
        elif code == _NUMBER:
            if keep_zero or value != 0:  # False == 0 too
                out[field.name] = value
        elif code == _MESSAGE:
            converted = message_to_json(value, f"{path}.{field.name}" if path else field.name)
            if _keep(field, converted):
                out[field.name] = converted
        elif code == _INLINE:
            out.update(message_to_json(value, path))
        else:
            where = f"{path}.{field.name}" if path else field.name
            if code == _MAP:
                out[field.name] = _map_to_json(field, value, where)
            elif code == _REPEATED:
                out[field.name] = [_value_to_json(field, item, f"{where}[{i}]") for i, item in enumerate(value)]
            else:  # bytes
                encoded = base64.b64encode(value).decode("ascii")
                if keep_zero or encoded:
                    out[field.name] = encoded
    return out


def _map_to_json(field: Field, entries: Any, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for entry in entries:  # a repeated key keeps its last value, as in Go
        reject_unknown(entry, where)
        out[_text(entry.key, where)] = _value_to_json(field, entry.value, f"{where}[{entry.key!r}]")
    return out


def _value_to_json(field: Field, value: Any, where: str) -> Any:
    if field.is_message:
        return message_to_json(value, where)
    if field.type == "bytes":
        return base64.b64encode(value).decode("ascii")
    if field.type == "string":
        return _text(value, where)
    return value


def _text(value: str | bytes, where: str) -> str:
    # proto2 strings are not checked for UTF-8, and the protobuf library hands back bytes when they are
    # not valid; Go keeps such bytes and its JSON encoder prints them as U+FFFD, so do the same.
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


def _keep(field: Field, value: Any) -> bool:
    """Whether a singular field that was on the wire belongs in the JSON object."""
    if value is None:
        return False
    if field.pointer:
        return True  # a pointer's 0, "", false or {} is a value the client chose
    if value == {}:
        return False
    return field.always or not _is_zero(value)


def _is_zero(value: Any) -> bool:
    return value == "" or (isinstance(value, (int, float)) and value == 0)


def reject_unknown(message: DynamicMessage, path: str) -> None:
    unknown = UnknownFieldSet(message)
    if len(unknown):
        first = unknown[0]
        where = f" at {path}" if path else ""
        raise ProtobufDecodeError(f"unknown field number {first.field_number} (wire type {first.wire_type}) "
                                  f"in {message.DESCRIPTOR.full_name}{where}")
