"""Messages whose JSON form is not an object: Go gives these types their own JSON marshalling.

Each shape takes the parsed message and returns its JSON value; None means Go would print `null`
(the caller then drops the field).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from google.protobuf.message import Message as ProtoMessage

from . import tables
from .errors import ProtobufDecodeError

# time.Time{}.Unix() in Go: a Time holding this instant is Go's zero time, which JSON prints as null.
_GO_ZERO_TIME_SECONDS = -62135596800
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _time(message: ProtoMessage) -> str | None:
    # Go's Time marshals the zero time as an empty message, and its decoder keeps whole seconds only.
    if not message.ListFields() or message.seconds == _GO_ZERO_TIME_SECONDS:
        return None
    try:
        t = _EPOCH + timedelta(seconds=message.seconds)
    except OverflowError:
        raise ProtobufDecodeError(f"time {message.seconds}s since the epoch is out of range") from None
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z"


def _int_or_string(message: ProtoMessage) -> int | str:
    if message.type == 0:
        return message.intVal
    if message.type == 1:
        return message.strVal
    raise ProtobufDecodeError(f"IntOrString has invalid type {message.type}")


def _quantity(message: ProtoMessage) -> str:
    # An absent or empty string is Go's zero Quantity, which prints as "0".
    return message.string or "0"


def _fields_v1(message: ProtoMessage) -> Any:
    # FieldsV1 carries managed-fields JSON verbatim; JSON embeds it as a value, not a string.
    if not message.raw:
        return None
    try:
        return json.loads(message.raw)
    except ValueError as err:
        raise ProtobufDecodeError(f"FieldsV1 does not hold JSON: {err}") from None


def _extra_value(message: ProtoMessage) -> list[str]:
    return list(message.items)


SHAPES: dict[str, Callable[[ProtoMessage], Any]] = {
    f"{tables.meta.PACKAGE}.Time": _time,
    f"{tables.meta.PACKAGE}.FieldsV1": _fields_v1,
    f"{tables.intstr.PACKAGE}.IntOrString": _int_or_string,
    f"{tables.resource.PACKAGE}.Quantity": _quantity,
    f"{tables.authentication.PACKAGE}.ExtraValue": _extra_value,
    f"{tables.certificates.PACKAGE}.ExtraValue": _extra_value,
}
