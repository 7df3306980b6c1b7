"""Unknown and duplicate fields in request bodies, judged as kube-apiserver's strict decoding judges them
(`fieldValidation`).

kube-apiserver decodes bodies into typed structs, so an unknown field is never stored: Strict refuses the
request (400), Warn (the default) drops the field and says so in a `Warning` header, Ignore drops it quietly.
A field given twice in one object is the same kind of error; the last value wins when it is not refused.
"""
from __future__ import annotations

import json
from typing import Any

import orjson
import yaml

from apiserver.api.meta import errors
from apiserver.api.meta.goformat import quote

MODES = ("Strict", "Warn", "Ignore")
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "application/apply-patch+yaml")


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


class _Pairs(list):
    """One JSON object as its (key, value) pairs in document order, duplicates kept."""


def _json_duplicates(node: Any, path: str, out: list[str]) -> None:
    if isinstance(node, _Pairs):
        seen: set[str] = set()
        for key, value in node:
            where = f"{path}.{key}" if path else key
            if key in seen:
                out.append(where)
            seen.add(key)
            _json_duplicates(value, where, out)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            _json_duplicates(item, f"{path}[{i}]", out)


def _json_duplicate_paths(body: bytes, obj: Any) -> list[str]:
    # orjson keeps the last of duplicate keys, so re-encoding the result has fewer `":` than the body exactly
    # when a key was dropped; only then is the body parsed again, slowly, to find where
    if body.count(b'":') == orjson.dumps(obj).count(b'":'):
        return []
    out: list[str] = []
    _json_duplicates(json.loads(body, object_pairs_hook=_Pairs), "", out)
    return out


class _DuplicateKeyLoader(yaml.SafeLoader):
    """Safe YAML that records every mapping key given twice, with its line, as go-yaml's strict mode does."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.duplicates: list[str] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                self.duplicates.append(f'line {key_node.start_mark.line + 1}: key "{key}" already set in map')
            if isinstance(key, (str, int, float, bool)):
                seen.add(key)
        return super().construct_mapping(node, deep)


def _yaml_duplicates(body: bytes) -> list[str]:
    loader = _DuplicateKeyLoader(body)
    try:
        loader.get_single_data()
    finally:
        loader.dispose()
    if not loader.duplicates:
        return []
    return ["yaml: unmarshal errors:\n  " + "\n  ".join(loader.duplicates)]


def duplicate_fields(media_type: str, body: bytes, obj: Any) -> list[str]:
    """The strict-decoding errors for fields given twice in the body `obj` was decoded from."""
    if media_type in YAML_TYPES:
        return _yaml_duplicates(body)
    if media_type in ("", "application/json"):
        return [f'duplicate field "{p}"' for p in _json_duplicate_paths(body, obj)]
    return []


def unknown_errors(unknown: list[str]) -> list[str]:
    return [f'unknown field {quote(f)}' for f in unknown]


def strict_error(problems: list[str]) -> errors.StatusError:
    return errors.bad_request("strict decoding error: " + ", ".join(problems))

