"""Strategic merge patch (`application/strategic-merge-patch+json`) for the built-in kinds.

Maps merge key by key (null deletes); lists are replaced unless the Go type declares `patchStrategy:"merge"`,
in which case object lists merge by their `patchMergeKey` and primitive lists become a union. Directives:
`$patch` (replace / merge / delete), `$setElementOrder/<list>`, `$retainKeys`, `$deleteFromPrimitiveList/<list>`.
No maintained Python library implements SMP, so it is written here; the merge keys are the Kubernetes facts
the client models lack, kept in one table keyed by (model, field).
"""
from __future__ import annotations

import copy
from typing import Any

from apiserver.api.meta import errors
from apiserver.api.meta.goformat import quote

# (schema model, JSON field) -> merge key, or "" for a primitive list merged as a set
MERGE_KEYS: dict[tuple[str, str], str] = {
    ("V1PodSpec", "containers"): "name",
    ("V1PodSpec", "initContainers"): "name",
    ("V1PodSpec", "ephemeralContainers"): "name",
    ("V1PodSpec", "volumes"): "name",
    ("V1PodSpec", "imagePullSecrets"): "name",
    ("V1PodSpec", "hostAliases"): "ip",
    ("V1PodSpec", "resourceClaims"): "name",
    ("V1Container", "env"): "name",
    ("V1Container", "ports"): "containerPort",
    ("V1Container", "volumeMounts"): "mountPath",
    ("V1Container", "volumeDevices"): "devicePath",
    ("V1EphemeralContainer", "env"): "name",
    ("V1EphemeralContainer", "volumeMounts"): "mountPath",
    ("V1EphemeralContainer", "volumeDevices"): "devicePath",
    ("V1ServiceSpec", "ports"): "port",
    ("V1ObjectMeta", "ownerReferences"): "uid",
    ("V1ObjectMeta", "finalizers"): "",
    ("V1PodStatus", "conditions"): "type",
    ("V1DeploymentStatus", "conditions"): "type",
    ("V1ReplicaSetStatus", "conditions"): "type",
    ("V1StatefulSetStatus", "conditions"): "type",
    ("V1DaemonSetStatus", "conditions"): "type",
    ("V1JobStatus", "conditions"): "type",
    ("V1NodeStatus", "conditions"): "type",
    ("V1NodeStatus", "addresses"): "type",
    ("V1NamespaceStatus", "conditions"): "type",
    ("V1PersistentVolumeClaimStatus", "conditions"): "type",
    ("V1PodDisruptionBudgetStatus", "conditions"): "type",
    ("V1ServiceStatus", "conditions"): "type",
}

DIRECTIVE = "$patch"
SET_ORDER = "$setElementOrder/"
RETAIN_KEYS = "$retainKeys"
DELETE_PRIMITIVE = "$deleteFromPrimitiveList/"


def model_of(schema: dict[str, Any] | None, schemas: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The model name and resolved schema behind a `$ref` (or `allOf: [$ref]`)."""
    if not schema:
        return "", {}
    ref = schema.get("$ref") or (schema.get("allOf") or [{}])[0].get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return name, schemas.get(name, {})
    return "", schema


def apply(original: dict[str, Any], patch: dict[str, Any], schema: dict[str, Any],
          schemas: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(patch, dict):
        raise errors.bad_request("a strategic merge patch must be a JSON object")
    return _merge_map(copy.deepcopy(original), patch, "", schema, schemas)


def _merge_map(original: Any, patch: dict[str, Any], model: str, schema: dict[str, Any],
               schemas: dict[str, Any]) -> Any:
    directive = patch.get(DIRECTIVE)
    if directive == "replace":
        return {k: v for k, v in patch.items() if k != DIRECTIVE}
    if directive == "delete":
        return None
    if directive not in (None, "merge"):
        raise errors.bad_request(f"strategic merge patch: unknown patch type {quote(str(directive))}")
    result = dict(original) if isinstance(original, dict) else {}
    retain = patch.get(RETAIN_KEYS)
    properties = schema.get("properties") or {}
    orders: dict[str, list] = {}
    for key, value in patch.items():
        if key in (DIRECTIVE, RETAIN_KEYS):
            continue
        if key.startswith(SET_ORDER):
            orders[key[len(SET_ORDER):]] = value
            continue
        if key.startswith(DELETE_PRIMITIVE):
            field = key[len(DELETE_PRIMITIVE):]
            result[field] = [v for v in result.get(field) or [] if v not in value]
            continue
        if value is None:
            result.pop(key, None)
            continue
        child_model, child_schema = model_of(properties.get(key), schemas)
        if isinstance(value, dict):
            merged = _merge_map(result.get(key), value, child_model, child_schema, schemas)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        elif isinstance(value, list):
            result[key] = _merge_list(result.get(key), value, model, key, properties.get(key) or {}, schemas)
        else:
            result[key] = value
    for field, order in orders.items():
        result[field] = _ordered(result.get(field) or [], order, MERGE_KEYS.get((model, field)))
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    return result


def _merge_list(original: Any, patch: list, model: str, field: str, schema: dict[str, Any],
                schemas: dict[str, Any]) -> list:
    key = MERGE_KEYS.get((model, field))
    if key is None:
        return [item for item in patch if not (isinstance(item, dict) and item.get(DIRECTIVE) == "delete")]
    current = list(original) if isinstance(original, list) else []
    if key == "":
        return current + [v for v in patch if v not in current]
    if any(isinstance(i, dict) and i.get(DIRECTIVE) == "replace" for i in patch):
        return [{k: v for k, v in i.items() if k != DIRECTIVE} for i in patch
                if not (isinstance(i, dict) and i.get(DIRECTIVE) == "replace" and len(i) == 1)]
    item_model, item_schema = model_of(schema.get("items"), schemas)
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            raise errors.bad_request(f"strategic merge patch: every element of {field} needs its merge key "
                                     f"{quote(key)}")
        index = next((i for i, c in enumerate(current) if isinstance(c, dict) and c.get(key) == item[key]), None)
        if item.get(DIRECTIVE) == "delete":
            if index is not None:
                current.pop(index)
            continue
        if index is None:
            current.append({k: v for k, v in item.items() if not k.startswith("$")})
        else:
            current[index] = _merge_map(current[index], item, item_model, item_schema, schemas)
    return current


def _ordered(items: list, order: list, key: str | None) -> list:
    """`$setElementOrder`: the listed elements first, in that order, then the rest as they were."""
    def ident(item: Any) -> Any:
        return item.get(key) if key and isinstance(item, dict) else item

    wanted = [ident(o) for o in order]
    position = {w: i for i, w in enumerate(wanted)}
    listed = sorted((i for i in items if ident(i) in position), key=lambda i: position[ident(i)])
    return listed + [i for i in items if ident(i) not in position]
