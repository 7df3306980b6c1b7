"""The published OpenAPI documents: v3 per group/version (`/openapi/v3/...`) and one Swagger 2.0 document
(`/openapi/v2`), both with kube-apiserver's definition names (`io.k8s.api.core.v1.Pod`).

kubectl decides from the PATCH operation of a path whether the server validates fields itself
(`fieldValidation` parameter and `x-kubernetes-group-version-kind`), so every resource gets one; `kubectl
explain` finds a kind's schema by the group-version-kind extension of its definition.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import orjson

from apiserver.api.schema import schemafacts
from apiserver.api.schema.openapi import (
    INT_OR_STRING,
    QUANTITY,
    kind_schemas,
    model_name,
)
from apiserver.registry.catalogue import Catalogue, ResourceInfo

V3_REF = "#/components/schemas/"
V2_REF = "#/definitions/"
_MODEL = re.compile(r"^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)(\w+)$")
_SCALAR_NAMES = {INT_OR_STRING: "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
                 QUANTITY: "io.k8s.apimachinery.pkg.api.resource.Quantity"}
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", "application/apply-patch+yaml")


def _package(group: str, version: str) -> str:
    return f"io.k8s.api.{(group or 'core').split('.')[0]}.{version}"


@cache
def definition_names(catalogue: Catalogue) -> dict[str, str]:
    """Client model name → kube definition name. A model lives in the group of the first served kind
    (core first) that uses it, unless the facts table says otherwise."""
    names = dict(_SCALAR_NAMES)
    for info in sorted(catalogue.rows, key=lambda r: r.group != ""):
        for model in kind_schemas(model_name(info)):
            if model in names:
                continue
            match = _MODEL.match(model)
            if match is None:
                continue
            prefix, version, kind = match.groups()
            package = schemafacts.PACKAGE_OF.get(model) or next(
                (p for start, p in schemafacts.PACKAGE_OF_PREFIX.items() if model.startswith(start)), None)
            if package is None:
                package = _package(prefix.lower() if prefix else info.group, version.lower())
            names[model] = f"{package}.{kind}"
    return names


def _renamed(node: Any, names: dict[str, str], ref_base: str, v2: bool) -> Any:
    """A schema with its references pointing at kube's names; for Swagger 2.0, `allOf [$ref]` becomes a
    `$ref` with siblings and unions become their string form, as kube-apiserver publishes them."""
    if isinstance(node, list):
        return [_renamed(n, names, ref_base, v2) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        node = {**node, "$ref": ref_base + names[node["$ref"].rsplit("/", 1)[-1]]}
    elif v2 and len(node.get("allOf") or ()) == 1 and "$ref" in node["allOf"][0]:
        node = {**{k: v for k, v in node.items() if k != "allOf"}, **node["allOf"][0]}
        return _renamed(node, names, ref_base, v2)
    if v2 and "oneOf" in node:
        node = {**{k: v for k, v in node.items() if k != "oneOf"}, "type": "string"}
    return {k: _renamed(v, names, ref_base, v2) for k, v in node.items()}


def _gvk(info: ResourceInfo) -> dict[str, str]:
    return {"group": info.group, "kind": info.kind, "version": info.version}


def _definitions(catalogue: Catalogue, resources: Iterable[ResourceInfo], ref_base: str,
                 v2: bool) -> dict[str, Any]:
    names = definition_names(catalogue)
    out: dict[str, Any] = {}
    for info in resources:
        for model, schema in kind_schemas(model_name(info)).items():
            out.setdefault(names[model], _renamed(schema, names, ref_base, v2))
        top = names[model_name(info)]
        if top in out:
            kinds = out[top].get("x-kubernetes-group-version-kind", [])
            out[top] = {**out[top], "x-kubernetes-group-version-kind": kinds + [_gvk(info)]}
    return out


Param = Callable[[str, str, bool], dict[str, Any]]


def _operations(info: ResourceInfo, ref: str, param: Param, body: Callable[[str], Any],
                patch_body: Any) -> dict[str, dict[str, Any]]:
    """The operations of a resource's collection and item paths, in the shape one OpenAPI version wants."""
    gvk = _gvk(info)
    writes = [param("dryRun", "query", False), param("fieldManager", "query", False),
              param("fieldValidation", "query", False)]

    def op(verb: str, action: str, **extra: Any) -> dict[str, Any]:
        return {"operationId": f"{verb}{info.kind}", "x-kubernetes-action": action,
                "x-kubernetes-group-version-kind": gvk, **extra}

    create = op("create", "post", **body(ref), parameters=writes)
    if info.virtual:
        return {"item": {}, "collection": {"post": create}}
    item = {"get": op("read", "get"), "put": op("replace", "put", **body(ref), parameters=writes),
            "patch": op("patch", "patch", **patch_body, parameters=writes + [param("force", "query", False)]),
            "delete": op("delete", "delete")}
    collection = {"get": op("list", "list"), "post": create}
    return {"item": item, "collection": collection}


def _paths(info: ResourceInfo, ops: dict[str, dict[str, Any]], param: Param) -> dict[str, Any]:
    root = f"/apis/{info.group}/{info.version}" if info.group else f"/api/{info.version}"
    base = f"{root}/namespaces/{{namespace}}/{info.plural}" if info.namespaced else f"{root}/{info.plural}"
    params = [param("name", "path", True)] + ([param("namespace", "path", True)] if info.namespaced else [])
    paths = {base: {**ops["collection"], "parameters": params[1:]}}
    if ops["item"]:
        paths[f"{base}/{{name}}"] = {**ops["item"], "parameters": params}
    return paths


def _v3_param(name: str, where: str, required: bool) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "schema": {"type": "string"}}


def _v2_param(name: str, where: str, required: bool) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "type": "string", "uniqueItems": True}


def _v3_body(ref: str) -> dict[str, Any]:
    return {"requestBody": {"content": {"application/json": {"schema": {"$ref": ref}}}}}


def _v2_body(ref: str) -> dict[str, Any]:
    return {"x-body": {"name": "body", "in": "body", "required": True, "schema": {"$ref": ref}}}


def _v2_operations(ops: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Swagger 2.0 carries the body as one more parameter and the patch types in `consumes`."""
    out: dict[str, dict[str, Any]] = {}
    for scope, verbs in ops.items():
        out[scope] = {}
        for verb, op in verbs.items():
            op = dict(op)
            body = op.pop("x-body", None)
            if body:
                op["parameters"] = [body] + op.get("parameters", [])
            if verb == "patch":
                op["consumes"] = list(PATCH_TYPES)
                op["parameters"] = [{"name": "body", "in": "body", "required": True, "schema": {"type": "object"}}
                                    ] + op.get("parameters", [])
            op["produces"] = ["application/json", "application/yaml"]
            op["responses"] = {"200": {"description": "OK"}, "401": {"description": "Unauthorized"}}
            out[scope][verb] = op
    return out


@cache
def group_version_document(catalogue: Catalogue, group: str, version: str) -> bytes:
    resources = catalogue.resources(group, version)
    names = definition_names(catalogue)
    patch_body = {"requestBody": {"content": {t: {"schema": {"type": "object"}} for t in PATCH_TYPES}}}
    paths: dict[str, Any] = {}
    for info in resources:
        ref = V3_REF + names[model_name(info)] if model_name(info) in names else ""
        if ref:
            paths.update(_paths(info, _operations(info, ref, _v3_param, _v3_body, patch_body), _v3_param))
    title = f"{group}/{version}" if group else version
    return orjson.dumps({"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": title}, "paths": paths,
                         "components": {"schemas": _definitions(catalogue, resources, V3_REF, v2=False)}},
                        option=orjson.OPT_SORT_KEYS)


@cache
def swagger_document(catalogue: Catalogue) -> bytes:
    names = definition_names(catalogue)
    paths: dict[str, Any] = {}
    for info in catalogue.rows:
        if model_name(info) in names:
            ops = _operations(info, V2_REF + names[model_name(info)], _v2_param, _v2_body, {})
            paths.update(_paths(info, _v2_operations(ops), _v2_param))
    return orjson.dumps({"swagger": "2.0", "info": {"title": "Kubernetes", "version": "v1.32.0"}, "paths": paths,
                         "definitions": _definitions(catalogue, catalogue.rows, V2_REF, v2=True),
                         "security": [{"BearerToken": []}],
                         "securityDefinitions": {"BearerToken": {
                             "description": "Bearer Token authentication", "in": "header", "name": "authorization",
                             "type": "apiKey"}}},
                        option=orjson.OPT_SORT_KEYS)


def etag(document: bytes) -> str:
    """kube-apiserver's tag for a document: the upper-case hex of its SHA-512."""
    return hashlib.sha512(document).hexdigest().upper()


def gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


@cache
def index(catalogue: Catalogue) -> bytes:
    """/openapi/v3: one entry per group/version; the hash changes whenever that document does."""
    paths = {}
    for group in catalogue.groups():
        for version in catalogue.versions(group):
            path = gv_path(group, version)
            digest = etag(group_version_document(catalogue, group, version))
            paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return orjson.dumps({"paths": paths})
