"""The schema of every served kind, built at start-up from the official `kubernetes` client's models.

The client's pydantic models carry every field's JSON name, type, description and required list; they are
turned into one schema per model (referenced by `$ref`, keyed by the client's model name) and completed
with the Kubernetes facts the models lack (`schemafacts`): int32/int64, int-or-string, quantities, bytes,
enums, free-form objects, and the patch/list extensions of the strategic-merge table. The published
documents (`openapi_documents`) rename these schemas as kube-apiserver does; validation, pruning,
strategic merge and field ownership read them directly.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from kubernetes.client import models

from apiserver.api.meta.kinds import KindRef
from apiserver.api.patch.strategicpatch import MERGE_KEYS
from apiserver.api.schema import schemafacts

REF = "#/components/schemas/{model}"
# the client names models by version + kind, except where two groups share a kind name
_MODEL_OVERRIDES = {("", "Event"): "CoreV1Event", ("events.k8s.io", "Event"): "EventsV1Event"}
# kube's own schemas for its two scalar unions; fields reference them as they do in kube-apiserver's documents
INT_OR_STRING, QUANTITY = "IntOrString", "Quantity"
SCALARS: dict[str, dict[str, Any]] = {
    INT_OR_STRING: {
        "description": "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML "
                       "marshalling and unmarshalling, it produces or consumes the inner type.  This allows you "
                       "to have, for example, a JSON field that can accept a name or number.",
        "format": "int-or-string", "oneOf": [{"type": "integer"}, {"type": "string"}],
        "x-kubernetes-int-or-string": True},
    QUANTITY: {
        "description": "Quantity is a fixed-point representation of a number, written as a string with an "
                       "optional suffix: a binary SI suffix (Ki, Mi, Gi, Ti, Pi, Ei), a decimal SI suffix (n, u, "
                       "m, k, M, G, T, P, E) or a decimal exponent (e3, E-6). Plain numbers are accepted too.",
        "oneOf": [{"type": "string"}, {"type": "number"}]},
}


def model_name(info: KindRef) -> str:
    return _MODEL_OVERRIDES.get((info.group, info.kind), f"{info.version.capitalize()}{info.kind}")


def _clean(node: Any) -> Any:
    """pydantic's JSON schema → OpenAPI: optional fields lose their `anyOf [X, null]`, titles and null defaults."""
    if isinstance(node, list):
        return [_clean(n) for n in node]
    if not isinstance(node, dict):
        return node
    any_of = node.get("anyOf")
    if isinstance(any_of, list) and {"type": "null"} in any_of:
        rest = [n for n in any_of if n != {"type": "null"}]
        node = {k: v for k, v in node.items() if k != "anyOf"}
        node = {**node, **rest[0]} if len(rest) == 1 else {**node, "anyOf": rest}
    if "$ref" in node and len(node) > 1:
        # OpenAPI 3.0 ignores siblings of $ref: keep the description through allOf, as kube-apiserver does
        node = {"allOf": [{"$ref": node["$ref"]}], **{k: v for k, v in node.items() if k != "$ref"}}
    if isinstance(node.get("description"), str):
        # the generator appends its own notes about Python attributes to every model's description
        node = {**node, "description": node["description"].split("\n\nAttributes:\n", 1)[0]}
    return {k: _clean(v) for k, v in node.items()
            if k != "title" and not (k == "default" and v is None) and not (k == "additionalProperties" and v is False)}


def _leaf(node: dict[str, Any], model: str, field: str) -> dict[str, Any]:
    """One scalar schema (a field, or the items/values of a list/map field) with kube's type and format."""
    described = {k: v for k, v in node.items() if k == "description"}
    kinds = {n.get("type") for n in node.get("anyOf") or ()}
    if (model, field) in schemafacts.QUANTITY and node.get("type") != "object":
        return {"allOf": [{"$ref": REF.format(model=QUANTITY)}], **described}
    if kinds == {"integer", "string"}:
        return {"allOf": [{"$ref": REF.format(model=INT_OR_STRING)}], **described}
    if kinds == {"string"}:
        # the client's bytes fields: base64 text on the wire
        return {**described, "type": "string", "format": "byte"}
    if node.get("type") == "integer":
        wide = (model, field) in schemafacts.INT64 or field in schemafacts.INT64_FIELDS
        return {**node, "format": "int64" if wide else "int32"}
    if node.get("type") == "string" and (model, field) in schemafacts.ENUMS:
        return {**node, "enum": sorted(schemafacts.ENUMS[(model, field)])}
    if node.get("type") == "object" and node.get("additionalProperties") is True and "properties" not in node:
        # RawExtension, FieldsV1 and other free-form JSON: stored as sent
        rest = {k: v for k, v in node.items() if k != "additionalProperties"}
        return {**rest, "x-kubernetes-preserve-unknown-fields": True}
    return node


def _property(node: dict[str, Any], model: str, field: str) -> dict[str, Any]:
    for container in ("items", "additionalProperties"):
        inner = node.get(container)
        if isinstance(inner, dict) and "$ref" not in inner and "allOf" not in inner:
            return {**node, container: _leaf(inner, model, field)}
    return _leaf(node, model, field)


def _with_extensions(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """Kube's scalar types, and the list extensions from the strategic-merge table."""
    properties = schema.get("properties")
    if not properties:
        return schema
    for field, node in list(properties.items()):
        properties[field] = _property(node, name, field)
    for (model, field), key in MERGE_KEYS.items():
        if model == name and field in properties:
            extra: dict[str, Any] = {"x-kubernetes-patch-strategy": "merge"}
            if key:
                extra.update({"x-kubernetes-patch-merge-key": key, "x-kubernetes-list-type": "map",
                              "x-kubernetes-list-map-keys": [key]})
            else:
                extra["x-kubernetes-list-type"] = "set"
            properties[field] = {**properties[field], **extra}
    return {**schema, "type": "object"}


@cache
def kind_schemas(name: str) -> dict[str, Any]:
    """All schemas one kind needs, keyed by model name; empty if the client has no such model."""
    model = getattr(models, name, None)
    if model is None:
        return {}
    schema = model.model_json_schema(by_alias=True, ref_template=REF)
    defs = schema.pop("$defs", {})
    schemas = {name: _with_extensions(name, _clean(schema)),
               **{k: _with_extensions(k, _clean(v)) for k, v in defs.items()}}
    return {**schemas, **SCALARS}


def schema_for(info: KindRef) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(the kind's schema, every schema by name) for validating objects of this resource."""
    schemas = kind_schemas(model_name(info))
    return (schemas[model_name(info)], schemas) if schemas else None
