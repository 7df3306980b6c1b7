"""The strategies of the built-in resources: only what differs from the generic path."""
from __future__ import annotations

from typing import Any

from apiserver.registry import defaults, services
from apiserver.registry.servicealloc import service_effects
from apiserver.registry.strategy import Obj, Strategy, immutable


def _get(obj: Obj, *path: str) -> Any:
    for part in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def _str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fields(obj: Obj, mapping: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {label: _str(_get(obj, *path)) for label, path in mapping.items()}


_POD_FIELDS = {
    "spec.nodeName": ("spec", "nodeName"),
    "spec.restartPolicy": ("spec", "restartPolicy"),
    "spec.schedulerName": ("spec", "schedulerName"),
    "spec.serviceAccountName": ("spec", "serviceAccountName"),
    "spec.hostNetwork": ("spec", "hostNetwork"),
    "status.phase": ("status", "phase"),
    "status.podIP": ("status", "podIP"),
    "status.nominatedNodeName": ("status", "nominatedNodeName"),
}

_EVENT_FIELDS = {
    "involvedObject.kind": ("involvedObject", "kind"),
    "involvedObject.namespace": ("involvedObject", "namespace"),
    "involvedObject.name": ("involvedObject", "name"),
    "involvedObject.uid": ("involvedObject", "uid"),
    "involvedObject.apiVersion": ("involvedObject", "apiVersion"),
    "involvedObject.resourceVersion": ("involvedObject", "resourceVersion"),
    "involvedObject.fieldPath": ("involvedObject", "fieldPath"),
    "reason": ("reason",),
    "reportingComponent": ("reportingComponent",),
    "source": ("source", "component"),
    "type": ("type",),
}


def _pod_fields(obj: Obj) -> dict[str, str]:
    out = _fields(obj, _POD_FIELDS)
    # hostNetwork is a bool that kube renders "false" when unset
    out["spec.hostNetwork"] = out["spec.hostNetwork"] or "false"
    return out


def _pod_initial_status(obj: Obj) -> Obj:
    return {"phase": "Pending", "qosClass": _qos_class(obj)}


def _qos_class(pod: Obj) -> str:
    """Guaranteed / Burstable / BestEffort from the containers' requests and limits."""
    containers = (_get(pod, "spec", "containers") or []) + (_get(pod, "spec", "initContainers") or [])
    any_set = False
    guaranteed = True
    for c in containers:
        resources = c.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        if requests or limits:
            any_set = True
        for res in ("cpu", "memory"):
            limit = limits.get(res)
            if limit is None or requests.get(res, limit) != limit:
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def _namespace_defaults(obj: Obj) -> None:
    # kube labels every namespace with its own name so that selectors can pick namespaces by name
    name = _get(obj, "metadata", "name")
    if name:
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = name


def _secret_defaults(obj: Obj) -> None:
    if not obj.get("type"):
        obj["type"] = "Opaque"


WORKLOAD = Strategy(tracks_generation=True, has_status=True)
DEPLOYMENT = Strategy(tracks_generation=True, has_status=True, scalable=True, default=defaults.deployment)
STATEFUL_SET = Strategy(tracks_generation=True, has_status=True, scalable=True, default=defaults.stateful_set)
DAEMON_SET = Strategy(tracks_generation=True, has_status=True, default=defaults.daemon_set)
CRON_JOB = Strategy(tracks_generation=True, has_status=True, default=defaults.cron_job)

POD = Strategy(has_status=True, initial_status=_pod_initial_status, selectable_fields=_pod_fields,
               return_deleted_object=True, default=defaults.pod, actions=("binding", "eviction"))
NAMESPACE = Strategy(has_status=True, initial_status=lambda obj: {"phase": "Active"}, default=_namespace_defaults,
                     selectable_fields=lambda obj: _fields(obj, {"status.phase": ("status", "phase")}),
                     name_rule="label")
SERVICE = Strategy(has_status=True, initial_status=lambda obj: {"loadBalancer": {}}, name_rule="dns1035",
                   default=defaults.service, validate=services.validate, prepare_update=services.prepare_update,
                   validate_update=services.validate_update, effects=service_effects)
SECRET = Strategy(default=_secret_defaults, selectable_fields=lambda obj: _fields(obj, {"type": ("type",)}))
NODE = Strategy(has_status=True,
                selectable_fields=lambda obj: {"spec.unschedulable": _str(_get(obj, "spec", "unschedulable")) or "false"})
EVENT = Strategy(selectable_fields=lambda obj: _fields(obj, _EVENT_FIELDS), allow_create_on_update=True)
UPSERTABLE = Strategy(allow_create_on_update=True)
PERSISTENT_VOLUME = Strategy(has_status=True, initial_status=lambda obj: {"phase": "Pending"})
STATUS_ONLY = Strategy(has_status=True)
REPLICA_SET = Strategy(tracks_generation=True, has_status=True, scalable=True, default=defaults.replica_set,
                       selectable_fields=lambda obj: {"status.replicas": _str(_get(obj, "status", "replicas") or 0)})
JOB = Strategy(tracks_generation=True, has_status=True, default=defaults.job,
               validate_update=immutable(("spec", "selector"), ("spec", "completionMode")),
               selectable_fields=lambda obj: {"status.successful": _str(_get(obj, "status", "successful") or 0)})
RBAC = Strategy(allow_create_on_update=True, name_rule="path")
GENERATION_ONLY = Strategy(tracks_generation=True)
