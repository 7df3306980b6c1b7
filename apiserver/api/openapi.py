"""OpenAPI v3 documents per group/version, generated at start-up from the official `kubernetes` client's models.

The client's pydantic models carry every field's JSON name, type and description; they are turned into
`components.schemas` (one per model, referenced by `$ref`) plus the paths kubectl looks at. kubectl decides
from the PATCH operation of a path whether the server validates fields itself (`fieldValidation` parameter
and `x-kubernetes-group-version-kind`), so every resource gets one.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

import orjson
from kubernetes.client import models

from apiserver.api.catalogue import Catalogue, ResourceInfo
from apiserver.api.strategicpatch import MERGE_KEYS

REF = "#/components/schemas/{model}"
# the client names models by version + kind, except where two groups share a kind name
_MODEL_OVERRIDES = {("", "Event"): "CoreV1Event", ("events.k8s.io", "Event"): "EventsV1Event"}


def model_name(info: ResourceInfo) -> str:
    return _MODEL_OVERRIDES.get((info.group, info.kind), f"{info.version.capitalize()}{info.kind}")


def _clean(node: Any) -> Any:
    """pydantic's JSON schema → OpenAPI: optional fields lose their `anyOf [X, null]`, titles and null defaults."""
    if isinstance(node, list):
        return [_clean(n) for n in node]
    if not isinstance(node, dict):
        return node
    any_of = node.get("anyOf")
    if isinstance(any_of, list) and len(any_of) == 2 and {"type": "null"} in any_of:
        inner = next(n for n in any_of if n != {"type": "null"})
        node = {**{k: v for k, v in node.items() if k != "anyOf"}, **inner}
    if "$ref" in node and len(node) > 1:
        # OpenAPI 3.0 ignores siblings of $ref: keep the description through allOf, as kube-apiserver does
        node = {"allOf": [{"$ref": node["$ref"]}], **{k: v for k, v in node.items() if k != "$ref"}}
    return {k: _clean(v) for k, v in node.items() if k not in ("title",) and not (k == "default" and v is None)}


def _with_extensions(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """Adds the Kubernetes list extensions the client models lack, from the strategic-merge table."""
    properties = schema.get("properties")
    if not properties:
        return schema
    for (model, field), key in MERGE_KEYS.items():
        if model == name and field in properties:
            extra: dict[str, Any] = {"x-kubernetes-patch-strategy": "merge"}
            if key:
                extra.update({"x-kubernetes-patch-merge-key": key, "x-kubernetes-list-type": "map",
                              "x-kubernetes-list-map-keys": [key]})
            else:
                extra["x-kubernetes-list-type"] = "set"
            properties[field] = {**properties[field], **extra}
    return schema


@lru_cache(maxsize=None)
def kind_schemas(name: str) -> dict[str, Any]:
    """All component schemas one kind needs, keyed by model name; empty if the client has no such model."""
    model = getattr(models, name, None)
    if model is None:
        return {}
    schema = model.model_json_schema(by_alias=True, ref_template=REF)
    defs = schema.pop("$defs", {})
    return {name: _with_extensions(name, _clean(schema)),
            **{k: _with_extensions(k, _clean(v)) for k, v in defs.items()}}


def schema_for(info: ResourceInfo) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(the kind's schema, every schema by name) for validating objects of this resource."""
    schemas = kind_schemas(model_name(info))
    return (schemas[model_name(info)], schemas) if schemas else None


def _parameter(name: str, where: str = "query", kind: str = "string", required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "schema": {"type": kind}}


def _operations(info: ResourceInfo) -> dict[str, dict[str, Any]]:
    gvk = {"group": info.group, "version": info.version, "kind": info.kind}
    body = {"content": {"application/json": {"schema": {"$ref": REF.format(model=model_name(info))}}}}
    write_params = [_parameter("dryRun"), _parameter("fieldManager"), _parameter("fieldValidation")]
    item = {
        "get": {"operationId": f"read{info.kind}", "x-kubernetes-action": "get",
                "x-kubernetes-group-version-kind": gvk},
        "put": {"operationId": f"replace{info.kind}", "x-kubernetes-action": "put", "parameters": write_params,
                "requestBody": body, "x-kubernetes-group-version-kind": gvk},
        "patch": {"operationId": f"patch{info.kind}", "x-kubernetes-action": "patch", "parameters": write_params,
                  "requestBody": {"content": {"application/json-patch+json": {"schema": {"type": "object"}},
                                              "application/merge-patch+json": {"schema": {"type": "object"}}}},
                  "x-kubernetes-group-version-kind": gvk},
        "delete": {"operationId": f"delete{info.kind}", "x-kubernetes-action": "delete",
                   "x-kubernetes-group-version-kind": gvk},
    }
    collection = {
        "get": {"operationId": f"list{info.kind}", "x-kubernetes-action": "list",
                "x-kubernetes-group-version-kind": gvk},
        "post": {"operationId": f"create{info.kind}", "x-kubernetes-action": "post", "parameters": write_params,
                 "requestBody": body, "x-kubernetes-group-version-kind": gvk},
    }
    return {"item": item, "collection": collection}


def _paths(info: ResourceInfo) -> dict[str, Any]:
    root = f"/apis/{info.group}/{info.version}" if info.group else f"/api/{info.version}"
    base = f"{root}/namespaces/{{namespace}}/{info.plural}" if info.namespaced else f"{root}/{info.plural}"
    ops = _operations(info)
    params = [_parameter("name", "path", required=True)]
    if info.namespaced:
        params.append(_parameter("namespace", "path", required=True))
    return {base: {**ops["collection"], "parameters": params[1:]},
            f"{base}/{{name}}": {**ops["item"], "parameters": params}}


@lru_cache(maxsize=None)
def group_version_document(catalogue: Catalogue, group: str, version: str) -> bytes:
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    for info in catalogue.resources(group, version):
        for name, schema in kind_schemas(model_name(info)).items():
            schemas.setdefault(name, schema)
        top = schemas.get(model_name(info))
        if top is not None:
            schemas[model_name(info)] = {**top, "x-kubernetes-group-version-kind": [
                {"group": info.group, "version": info.version, "kind": info.kind}]}
        paths.update(_paths(info))
    title = f"{group}/{version}" if group else version
    return orjson.dumps({"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": title},
                         "paths": paths, "components": {"schemas": schemas}})


def gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


@lru_cache(maxsize=None)
def index(catalogue: Catalogue) -> dict[str, Any]:
    """/openapi/v3: one entry per group/version; the hash changes whenever that document does."""
    paths = {}
    for group in catalogue.groups():
        for version in catalogue.versions(group):
            digest = hashlib.sha512(group_version_document(catalogue, group, version)).hexdigest()[:32].upper()
            path = gv_path(group, version)
            paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return {"paths": paths}
