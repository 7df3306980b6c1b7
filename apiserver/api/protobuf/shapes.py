"""Messages whose JSON form is not an object: Go gives these types their own JSON marshalling.

A table marks such a message with `@shape`; each shape has a reader (parsed message → JSON value; None
means Go would print `null`, and the caller drops the field) and a writer (JSON value → fields of an
empty message). Both work on the field names the generated tables give these messages.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from .descriptors import DynamicMessage
from .errors import ProtobufDecodeError, ProtobufEncodeError

# time.Time{}.Unix() in Go: a Time holding this instant is Go's zero time, which JSON prints as null.
_GO_ZERO_TIME_SECONDS = -62135596800
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RFC3339 = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?([Zz]|[+-]\d\d:\d\d)$")


def _instant(message: DynamicMessage) -> datetime | None:
    # Go marshals the zero time as an empty message.
    if not message.ListFields() or message.seconds == _GO_ZERO_TIME_SECONDS:
        return None
    try:
        return _EPOCH + timedelta(seconds=message.seconds, microseconds=message.nanos // 1000)
    except OverflowError:
        raise ProtobufDecodeError(f"time {message.seconds}s since the epoch is out of range") from None


def _read_time(message: DynamicMessage) -> str | None:
    t = _instant(message)  # Go's Time keeps whole seconds only
    return None if t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _read_micro_time(message: DynamicMessage) -> str | None:
    t = _instant(message)
    return None if t is None else t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _write_instant(message: DynamicMessage, value: Any, keep_nanos: bool) -> None:
    m = _RFC3339.match(value) if isinstance(value, str) else None
    if m is None:
        raise ProtobufEncodeError(f"{value!r} is not an RFC 3339 time")
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    offset = m.group(8)
    t = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    if offset not in ("Z", "z"):
        sign = 1 if offset[0] == "+" else -1
        t -= sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
    message.seconds = int((t - _EPOCH).total_seconds())
    message.nanos = int((m.group(7) or "0").ljust(9, "0")) if keep_nanos else 0


def _read_int_or_string(message: DynamicMessage) -> int | str:
    if message.type == 0:
        return message.intVal
    if message.type == 1:
        return message.strVal
    raise ProtobufDecodeError(f"IntOrString has invalid type {message.type}")


def _write_int_or_string(message: DynamicMessage, value: Any) -> None:
    # Go writes all three fields, whichever is in use
    if isinstance(value, str):
        message.type, message.intVal, message.strVal = 1, 0, value
    elif isinstance(value, int) and not isinstance(value, bool):
        message.type, message.intVal, message.strVal = 0, value, ""
    else:
        raise ProtobufEncodeError(f"{value!r} is neither an integer nor a string")


def _read_quantity(message: DynamicMessage) -> str:
    # An absent or empty string is Go's zero Quantity, which prints as "0".
    return message.string or "0"


def _write_quantity(message: DynamicMessage, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ProtobufEncodeError(f"{value!r} is not a quantity")
    message.string = value if isinstance(value, str) else json.dumps(value)


def _read_embedded_json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError as err:
        raise ProtobufDecodeError(f"embedded value does not hold JSON: {err}") from None


def _write_raw(field: str) -> Callable[[DynamicMessage, Any], None]:
    def write(message: DynamicMessage, value: Any) -> None:
        setattr(message, field, orjson.dumps(value))

    return write


def _write_items(message: DynamicMessage, value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProtobufEncodeError(f"{value!r} is not a list of strings")
    message.items.extend(value)


_DURATION_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
                   "m": 60_000_000_000, "h": 3_600_000_000_000}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def _read_duration(message: DynamicMessage) -> str:
    """Go's time.Duration.String(): 1h2m3.5s, 1.5ms, 0s."""
    ns = message.duration
    if ns == 0:
        return "0s"
    sign, ns = ("-", -ns) if ns < 0 else ("", ns)
    if ns < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                return sign + _decimal(ns, size) + unit
    hours, rest = divmod(ns, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    text = _decimal(rest, 1_000_000_000) + "s"
    if hours or minutes:
        text = f"{minutes}m" + text
    if hours:
        text = f"{hours}h" + text
    return sign + text


def _decimal(value: int, unit: int) -> str:
    whole, frac = divmod(value, unit)
    digits = str(frac).rjust(len(str(unit)) - 1, "0").rstrip("0") if unit > 1 else ""
    return f"{whole}.{digits}" if digits else str(whole)


def _write_duration(message: DynamicMessage, value: Any) -> None:
    text = value if isinstance(value, str) else ""
    sign, body = (-1, text[1:]) if text.startswith("-") else (1, text.lstrip("+"))
    parts = _DURATION_PART.findall(body)
    if body == "0":
        parts = []
    elif not parts or "".join(n + u for n, u in parts) != body:
        raise ProtobufEncodeError(f"{value!r} is not a duration")
    message.duration = sign * sum(int(float(n) * _DURATION_UNITS[u]) for n, u in parts)


def _no_fields(message: DynamicMessage) -> None:
    """Go's zero value marshals to no fields: a zero Time, a nil []byte, an empty slice."""


@dataclass(frozen=True)
class Shape:
    read: Callable[[DynamicMessage], Any]
    write: Callable[[DynamicMessage, Any], None]
    # the fields Go writes for the type's zero value (a non-pointer field absent from the JSON)
    zero: Callable[[DynamicMessage], None] = _no_fields


SHAPES: dict[str, Shape] = {
    "time": Shape(_read_time, lambda m, v: _write_instant(m, v, keep_nanos=False)),
    "microtime": Shape(_read_micro_time, lambda m, v: _write_instant(m, v, keep_nanos=True)),
    "duration": Shape(_read_duration, _write_duration, lambda m: setattr(m, "duration", 0)),
    # managed fields and RawExtension embed JSON as a value, not as a string
    "fieldsv1": Shape(lambda m: _read_embedded_json(m.Raw), _write_raw("Raw")),
    "rawextension": Shape(lambda m: _read_embedded_json(m.raw), _write_raw("raw")),
    "intorstring": Shape(_read_int_or_string, _write_int_or_string, lambda m: _write_int_or_string(m, 0)),
    # the zero Quantity's String() is "0", and Go writes that
    "quantity": Shape(_read_quantity, _write_quantity, lambda m: _write_quantity(m, "0")),
    "items": Shape(lambda m: list(m.items), _write_items),
}
