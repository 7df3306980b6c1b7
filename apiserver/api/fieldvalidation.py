"""Unknown fields in request bodies, judged against the OpenAPI schema of the kind (`fieldValidation`).

kube-apiserver decodes bodies into typed structs, so an unknown field is never stored: Strict refuses the
request (400), Warn (the default) drops the field and says so in a `Warning` header, Ignore drops it quietly.
"""
from __future__ import annotations

from typing import Any

from apiserver.api import errors
from apiserver.api.goformat import quote

MODES = ("Strict", "Warn", "Ignore")


def parse_mode(value: str | None) -> str:
    mode = value or "Warn"
    if mode not in MODES:
        raise errors.bad_request(f'fieldValidation: Unsupported value: {quote(mode)}: supported values: "Ignore", '
                                 f'"Strict", "Warn"')
    return mode


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    while True:
        ref = schema.get("$ref") or (schema.get("allOf") or [{}])[0].get("$ref")
        if not ref:
            return schema
        schema = schemas.get(ref.rsplit("/", 1)[-1], {})


def prune_unknown(obj: Any, schema: dict[str, Any], schemas: dict[str, Any], path: str = "") -> list[str]:
    """Removes fields the schema does not know, in place; returns their paths (e.g. `spec.containers[0].foo`)."""
    schema = _resolve(schema, schemas)
    unknown: list[str] = []
    if isinstance(obj, dict):
        properties = schema.get("properties")
        if properties is not None:
            for key in list(obj):
                where = f"{path}.{key}" if path else key
                if key not in properties:
                    unknown.append(where)
                    del obj[key]
                else:
                    unknown += prune_unknown(obj[key], properties[key], schemas, where)
        elif isinstance(schema.get("additionalProperties"), dict):
            for key, value in obj.items():
                unknown += prune_unknown(value, schema["additionalProperties"], schemas, f"{path}.{key}")
    elif isinstance(obj, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(obj):
            unknown += prune_unknown(item, schema["items"], schemas, f"{path}[{i}]")
    return unknown


def strict_error(unknown: list[str]) -> errors.StatusError:
    return errors.bad_request("strict decoding error: " + ", ".join(f"unknown field {quote(f)}" for f in unknown))


def warnings(unknown: list[str]) -> list[str]:
    return [f'299 - "unknown field \\"{f}\\""' for f in unknown]
