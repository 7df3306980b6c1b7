"""Type errors in request bodies, reported as kube-apiserver's typed decoding reports them.

kube-apiserver decodes a body straight into the Go structs of the kind, so a value of the wrong JSON type
fails the request with 400 BadRequest before anything else runs: `<Kind> in version "<v>" cannot be handled
as a <Kind>: json: cannot unmarshal <value> into Go struct field <Struct>.<json path> of type <Go type>`.
Quantities, byte strings and times fail with their own parsers' messages. The first error in document
order is reported, as Go's decoder does. `null` is every type's zero value.
"""
from __future__ import annotations

import base64
import re
from typing import Any

from apiserver.api.meta import errors
from apiserver.api.schema.openapi import INT_OR_STRING, QUANTITY

QUANTITY_PATTERN = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
_QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
_QUANTITY_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
_SUFFIX = re.compile(r"^(|[numkMGTPE]|[KMGTPE]i|[eE][-+]?\d+)$")
_RANGES = {"int32": (-(1 << 31), (1 << 31) - 1), "int64": (-(1 << 63), (1 << 63) - 1)}
_BASE64 = re.compile(r"[^A-Za-z0-9+/=\r\n]")
RFC3339 = "2006-01-02T15:04:05Z07:00"
# the pieces of Go's RFC 3339 layout: (layout element, pattern of the value, range name or "")
_TIME_PARTS = (("2006", r"\d{4}", ""), ("-", "-", ""), ("01", r"\d{2}", "month"), ("-", "-", ""),
               ("02", r"\d{2}", "day"), ("T", "T", ""), ("15", r"\d{2}", "hour"), (":", ":", ""),
               ("04", r"\d{2}", "minute"), (":", ":", ""), ("05", r"\d{2}(\.\d+)?", "second"),
               ("Z07:00", r"(Z|[+-]\d{2}:\d{2})", ""))
_LIMITS = {"month": (1, 12), "day": (1, 31), "hour": (0, 23), "minute": (0, 59), "second": (0, 59)}


class DecodeError(Exception):
    """One value that typed decoding refuses; `message` is the text after the kind's prefix."""


def _model(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref") or (schema.get("allOf") or [{}])[0].get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def _kind(model: str) -> str:
    """V1DeploymentSpec → DeploymentSpec; CoreV1Event → Event."""
    match = re.match(r"^(?:[A-Z][a-z]+)?V\d+(?:alpha\d+|beta\d+)?(\w+)$", model)
    return match.group(1) if match else model


def go_type(schema: dict[str, Any], schemas: dict[str, Any]) -> str:
    """The Go type kube would decode this schema's value into, as `reflect.Type.String()` spells it."""
    model = _model(schema)
    if model == INT_OR_STRING:
        return "intstr.IntOrString"
    if model == QUANTITY:
        return "resource.Quantity"
    if model:
        return f"v1.{_kind(model)}"
    kind = schema.get("type")
    if kind == "array":
        return "[]" + go_type(schema.get("items") or {}, schemas)
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        values = schema["additionalProperties"]
        return "v1.ResourceList" if _model(values) == QUANTITY else "map[string]" + go_type(values, schemas)
    if kind == "string":
        return "[]uint8" if schema.get("format") == "byte" else "string"
    if kind == "integer":
        return schema.get("format") or "int64"
    return {"boolean": "bool", "number": "float64"}.get(kind or "", "interface {}")


_JSON_KINDS: dict[type, str] = {str: "string", list: "array", dict: "object"}


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return _JSON_KINDS.get(type(value), "object")


def _mismatch(value: Any, schema: dict[str, Any], schemas: dict[str, Any], struct: str, path: list[str],
              shown: str | None = None) -> DecodeError:
    return DecodeError(f"json: cannot unmarshal {shown or _json_kind(value)} into Go struct field {struct}."
                       f"{'.'.join(path)} of type {go_type(schema, schemas)}")


def check(obj: Any, schema: dict[str, Any], schemas: dict[str, Any], kind: str) -> None:
    """Raises DecodeError for the first value typed decoding would refuse in an object of `kind`."""
    _value(obj, schema, schemas, kind, [])


def _value(value: Any, schema: dict[str, Any], schemas: dict[str, Any], struct: str, path: list[str]) -> None:
    if value is None:
        return
    model = _model(schema)
    if model == INT_OR_STRING:
        if not isinstance(value, str):
            _integer(value, {"type": "integer", "format": "int32"}, schemas, struct, path)
        return
    if model == QUANTITY:
        _quantity(value)
        return
    if model:
        if not isinstance(value, dict):
            # the enclosing struct names the field, as Go's decoder does
            raise _mismatch(value, schema, schemas, struct, path)
        schema, struct = schemas.get(model, {}), _kind(model)
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        return
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if not isinstance(value, dict):
            raise _mismatch(value, schema, schemas, struct, path)
        properties = schema.get("properties")
        values = schema.get("additionalProperties")
        for key, item in value.items():
            if properties is not None and key in properties:
                _value(item, properties[key], schemas, struct, path + [key])
            elif isinstance(values, dict):
                _value(item, values, schemas, struct, path)
    elif kind == "array":
        if not isinstance(value, list):
            raise _mismatch(value, schema, schemas, struct, path)
        for item in value:
            _value(item, schema.get("items") or {}, schemas, struct, path)
    elif kind == "string":
        if not isinstance(value, str):
            raise _mismatch(value, schema, schemas, struct, path)
        if schema.get("format") == "byte":
            _base64(value)
        elif schema.get("format") == "date-time":
            _time(value)
    elif kind == "integer":
        _integer(value, schema, schemas, struct, path)
    elif kind == "boolean" and not isinstance(value, bool):
        raise _mismatch(value, schema, schemas, struct, path)
    elif kind == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise _mismatch(value, schema, schemas, struct, path)


def _integer(value: Any, schema: dict[str, Any], schemas: dict[str, Any], struct: str, path: list[str]) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _mismatch(value, schema, schemas, struct, path)
    low, high = _RANGES.get(schema.get("format") or "int64", _RANGES["int64"])
    if isinstance(value, float) or not low <= value <= high:
        raise _mismatch(value, schema, schemas, struct, path, f"number {value}")


def _quantity(value: Any) -> None:
    text = value.strip() if isinstance(value, str) else (
        repr(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else "")
    match = _QUANTITY.match(text)
    if not match:
        raise DecodeError(f"quantities must match the regular expression '{QUANTITY_PATTERN}'")
    if not _QUANTITY_NUMBER.match(match.group(1)):
        raise DecodeError("unable to parse numeric part of quantity")
    if not _SUFFIX.match(match.group(2)):
        raise DecodeError("unable to parse quantity's suffix")


def _base64(value: str) -> None:
    bad = _BASE64.search(value)
    if bad:
        raise DecodeError(f"illegal base64 data at input byte {bad.start()}")
    try:
        base64.b64decode(value.replace("\r", "").replace("\n", ""), validate=True)
    except ValueError:
        raise DecodeError(f"illegal base64 data at input byte {len(value) - len(value) % 4}") from None


def _time(value: str) -> None:
    """RFC 3339 as Go's time.Parse reads it, with its error wording."""
    rest = value
    for element, pattern, limit in _TIME_PARTS:
        match = re.match(pattern, rest)
        if not match:
            raise DecodeError(f'parsing time "{value}" as "{RFC3339}": cannot parse "{rest}" as "{element}"')
        if limit:
            number = int(match.group(0)[:2])
            low, high = _LIMITS[limit]
            if not low <= number <= high:
                raise DecodeError(f'parsing time "{value}": {limit} out of range')
        rest = rest[match.end():]
    if rest:
        raise DecodeError(f'parsing time "{value}" as "{RFC3339}": extra text: "{rest}"')


def decode_error(kind: str, version: str, message: str) -> errors.StatusError:
    return errors.bad_request(f'{kind} in version "{version}" cannot be handled as a {kind}: {message}')
