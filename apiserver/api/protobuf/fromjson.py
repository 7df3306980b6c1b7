"""Fill a message from the JSON form of a Go value: the inverse of tojson.py, over the same tables.

Every key of the JSON object must have a field (apiVersion and kind of a kind excepted: protobuf keeps them
in the envelope); a key without one would be lost on the wire, so it is an error rather than a silent drop.
A field present in JSON is written even when it holds a zero value, and a non-pointer field absent from it is
written as its zero value: Go writes its non-pointer fields always (so the bytes are Go's own), and a
pointer's 0 must stay distinguishable from an absent field.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from .descriptors import DynamicMessage
from .errors import ProtobufEncodeError
from .registry import CLASSES, KIND_MESSAGES, SPECS
from .schema import Field
from .shapes import SHAPES

_TYPE_META_KEYS = frozenset({"apiVersion", "kind"})
_ZEROS: dict[str, Any] = {"string": "", "bool": False, "int32": 0, "int64": 0, "double": 0.0}
# the JSON values a scalar field takes (bytes aside); any other scalar is an integer
_JSON_TYPES: dict[str, type | tuple[type, ...]] = {"string": str, "bool": bool, "double": (int, float)}


@dataclass(frozen=True)
class _Plan:
    """How to fill one message type: a copy of `zero` holds every field Go writes for the zero value, then
    only the keys the JSON object has are visited (not every field of the schema)."""
    zero: DynamicMessage
    # JSON name → (the inline fields leading to the message that holds it, the field)
    fields: dict[str, tuple[tuple[str, ...], Field]]
    type_meta: bool  # a kind: its apiVersion and kind are kept in the envelope


_PLANS: dict[str, _Plan] = {}


def _plan(name: str) -> _Plan:
    plan = _PLANS.get(name)
    if plan is None:
        fields: dict[str, tuple[tuple[str, ...], Field]] = {}
        _collect(name, (), fields)
        plan = _PLANS[name] = _Plan(_zero_message(name), fields, name in KIND_MESSAGES)
    return plan


def _collect(name: str, chain: tuple[str, ...], out: dict[str, tuple[tuple[str, ...], Field]]) -> None:
    for field in SPECS[name].fields:
        if field.inline:  # the embedded struct's fields sit in this same JSON object
            _collect(field.type, chain + (field.name,), out)
        else:
            out[field.name] = (chain, field)


def _zero_message(name: str) -> DynamicMessage:
    """The message Go writes for the type's zero value: every non-pointer field, as "", 0, false or an empty
    struct (itself holding its zero fields); pointers, slices, maps and nil []byte not at all."""
    message = CLASSES[name]()
    for field in SPECS[name].fields:
        if field.pointer or field.repeated or field.map:
            continue
        if field.is_message:
            _set_zero(getattr(message, field.name))
        elif field.type != "bytes":
            setattr(message, field.name, _ZEROS[field.type])
    return message


def _set_zero(message: DynamicMessage) -> None:
    message.SetInParent()
    spec = SPECS[message.DESCRIPTOR.full_name]
    if spec.shape is not None:
        SHAPES[spec.shape].zero(message)
    else:
        message.CopyFrom(_plan(spec.full_name).zero)


def fill_message(message: DynamicMessage, value: Any, path: str = "") -> None:
    """Write the JSON `value` into the empty `message`; `path` only serves error messages."""
    spec = SPECS[message.DESCRIPTOR.full_name]
    if spec.shape is not None:
        try:
            SHAPES[spec.shape].write(message, value)
        except ProtobufEncodeError as err:
            raise ProtobufEncodeError(f"{path or 'object'}: {err}") from None
        return
    if not isinstance(value, dict):
        raise ProtobufEncodeError(f"{path or 'object'}: expected an object, got {type(value).__name__}")
    plan = _plan(spec.full_name)
    message.CopyFrom(plan.zero)
    unused: list[str] = []
    for key, item in value.items():
        entry = plan.fields.get(key)
        if entry is None:
            if not (plan.type_meta and key in _TYPE_META_KEYS):
                unused.append(key)
            continue
        if item is None:  # null is Go's zero value: already written, or absent for a pointer
            continue
        chain, field = entry
        target = message
        for name in chain:
            target = getattr(target, name)
        _fill_field(target, field, item, f"{path}.{key}" if path else key)
    if unused:
        where = f"{path}." if path else ""
        raise ProtobufEncodeError(f"{where}{min(unused)}: no protobuf field in {spec.full_name}")


def _fill_field(message: DynamicMessage, field: Field, value: Any, where: str) -> None:
    if field.map:
        _fill_map(message, field, value, where)
    elif field.repeated:
        if not isinstance(value, list):
            raise ProtobufEncodeError(f"{where}: expected a list, got {type(value).__name__}")
        target = getattr(message, field.name)
        for i, item in enumerate(value):
            if field.is_message:
                fill_message(target.add(), item, f"{where}[{i}]")
            else:
                target.append(_scalar(field, item, f"{where}[{i}]"))
    elif field.is_message:
        inner = getattr(message, field.name)
        inner.SetInParent()  # an empty struct behind a pointer ({}) is a value too
        fill_message(inner, value, where)
    else:
        _set(message, field.name, _scalar(field, value, where), where)


def _fill_map(message: DynamicMessage, field: Field, value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise ProtobufEncodeError(f"{where}: expected an object, got {type(value).__name__}")
    entries = getattr(message, field.name)
    for key in sorted(value):  # Go writes map entries in key order
        item = value[key]
        entry = entries.add(key=key)
        if field.is_message:
            if item is None:  # Go writes a value for every key; null is the zero value
                _set_zero(entry.value)
            else:
                entry.value.SetInParent()
                fill_message(entry.value, item, f"{where}[{key!r}]")
        elif item is not None:
            _set(entry, "value", _scalar(field, item, f"{where}[{key!r}]"), where)
        elif field.type != "bytes":
            entry.value = _ZEROS[field.type]


def _scalar(field: Field, value: Any, where: str) -> Any:
    if field.type == "bytes":
        if not isinstance(value, str):
            raise ProtobufEncodeError(f"{where}: expected base64 text, got {type(value).__name__}")
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error as err:
            raise ProtobufEncodeError(f"{where}: not base64: {err}") from None
    expected = _JSON_TYPES.get(field.type, int)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ProtobufEncodeError(f"{where}: expected {field.type}, got {type(value).__name__}")
    return value


def _set(message: DynamicMessage, name: str, value: Any, where: str) -> None:
    try:
        setattr(message, name, value)
    except ValueError as err:  # an integer outside int32/int64
        raise ProtobufEncodeError(f"{where}: {err}") from None
