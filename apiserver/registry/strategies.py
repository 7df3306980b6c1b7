"""The strategies of the built-in resources: only what differs from the generic path."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from apiserver.api.meta import errors
from apiserver.api.meta.types import Obj
from apiserver.api.validation import core as cv
from apiserver.api.validation import hpa as hpavalidation
from apiserver.api.validation import kinds as kv
from apiserver.registry import coredefaults, corekinds, defaults, services
from apiserver.registry.deletion import has_finalizers
from apiserver.registry.servicealloc import service_effects
from apiserver.registry.strategy import Strategy, immutable

NAMESPACE_FINALIZER = "kubernetes"
# kube's NamespaceLifecycle refuses to delete these
IMMORTAL_NAMESPACES = frozenset({"default", "kube-system", "kube-public"})


def _get(obj: Any, *path: str) -> Any:
    for part in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def _str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fields(obj: Obj, mapping: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
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


def _namespace_create(obj: Obj) -> None:
    # every namespace starts held by the "kubernetes" finalizer, after any the client asked for: the namespace
    # controller releases it once the namespace is empty
    spec = obj.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    finalizers = list(spec.get("finalizers") or [])
    if NAMESPACE_FINALIZER not in finalizers:
        finalizers.append(NAMESPACE_FINALIZER)
    obj["spec"] = {**spec, "finalizers": finalizers}


def _namespace_keep_finalizers(new: Obj, old: Obj) -> None:
    # spec.finalizers changes only through the finalize subresource
    finalizers = _get(old, "spec", "finalizers")
    spec = new.get("spec")
    if not isinstance(spec, dict):
        spec = new.setdefault("spec", {})
    if finalizers is None:
        spec.pop("finalizers", None)
    else:
        spec["finalizers"] = finalizers
    if not spec:
        new.pop("spec", None)


def _namespace_held(obj: Obj) -> bool:
    return has_finalizers(obj) or bool(_get(obj, "spec", "finalizers"))


def _namespace_terminating(obj: Obj) -> None:
    obj.setdefault("status", {})["phase"] = "Terminating"


def _namespace_check_delete(obj: Obj) -> None:
    name = obj["metadata"]["name"]
    if name in IMMORTAL_NAMESPACES:
        raise errors.forbidden_on("namespaces", "", name, "this namespace may not be deleted")


def _pod_grace_period(pod: Obj, requested: int | None) -> int:
    """Seconds a deleted pod stays: the request's, else its terminationGracePeriodSeconds; none for a pod that
    is not on a node or has finished, since no kubelet has anything to stop."""
    period = requested if requested is not None else _get(pod, "spec", "terminationGracePeriodSeconds") or 0
    if not _get(pod, "spec", "nodeName") or _get(pod, "status", "phase") in ("Failed", "Succeeded"):
        return 0
    return period if period >= 0 else 1


def _secret_defaults(obj: Obj) -> None:
    if not obj.get("type"):
        obj["type"] = "Opaque"


WORKLOAD = Strategy(tracks_generation=True, has_status=True)
DEPLOYMENT = Strategy(tracks_generation=True, has_status=True, scalable=True, default=defaults.deployment,
                      validate=kv.deployment)
STATEFUL_SET = Strategy(tracks_generation=True, has_status=True, scalable=True, default=defaults.stateful_set,
                        validate=kv.stateful_set)
DAEMON_SET = Strategy(tracks_generation=True, has_status=True, default=defaults.daemon_set, validate=kv.daemon_set)
CRON_JOB = Strategy(tracks_generation=True, has_status=True, default=defaults.cron_job, validate=kv.cron_job)

POD = Strategy(has_status=True, initial_status=_pod_initial_status, selectable_fields=_pod_fields, validate=kv.pod,
               validate_update=kv.pod_update, return_deleted_object=True, default=defaults.pod,
               actions=("binding", "eviction"), grace_period=_pod_grace_period)
NAMESPACE = Strategy(has_status=True, initial_status=lambda obj: {"phase": "Active"},
                     default=_namespace_defaults, prepare_create=_namespace_create,
                     prepare_update=_namespace_keep_finalizers, pending_finalizers=_namespace_held,
                     validate=cv.namespace, return_deleted_object=True,
                     mark_deleting=_namespace_terminating, check_delete=_namespace_check_delete,
                     selectable_fields=lambda obj: _fields(obj, {"status.phase": ("status", "phase")}),
                     name_rule="label", actions=("finalize",))
SERVICE = Strategy(has_status=True, initial_status=lambda obj: {"loadBalancer": {}}, name_rule="dns1035",
                   default=defaults.service, validate=services.validate, prepare_update=services.prepare_update,
                   validate_update=services.validate_update, effects=service_effects)
SECRET = Strategy(default=_secret_defaults, selectable_fields=lambda obj: _fields(obj, {"type": ("type",)}))
NODE = Strategy(has_status=True, initial_status=corekinds.node_initial_status, prepare_create=corekinds.node_create,
                prepare_update=corekinds.node_update, default=coredefaults.node,
                validate=corekinds.warned(cv.node, cv.node_warnings), validate_update=cv.node_update,
                selectable_fields=lambda obj: {
                    "spec.unschedulable": _str(_get(obj, "spec", "unschedulable")) or "false"})
# a core/v1 Event's name is checked as a path segment only (kube's generic check); events.k8s.io/v1 adds DNS rules
EVENT = Strategy(selectable_fields=lambda obj: {**_fields(obj, _EVENT_FIELDS), "source": corekinds.event_source(obj)},
                 allow_create_on_update=True, validate=corekinds.event_validate,
                 validate_update=corekinds.event_validate_update, name_rule="path")
EVENT_V1 = dataclasses.replace(EVENT, default=corekinds.speaks_events_v1)
UPSERTABLE = Strategy(allow_create_on_update=True)
SERVICE_ACCOUNT = Strategy(actions=("token",), prepare_create=corekinds.clean_secret_references,
                           prepare_update=lambda new, old: corekinds.clean_secret_references(new),
                           validate=corekinds.warned(cv.service_account, cv.service_account_warnings),
                           return_deleted_object=True)
PERSISTENT_VOLUME = Strategy(
    has_status=True, initial_status=corekinds.pv_initial_status, prepare_create=corekinds.pv_create,
    prepare_update=corekinds.pv_update, default=coredefaults.persistent_volume,
    validate=corekinds.warned(cv.persistent_volume, cv.persistent_volume_warnings),
    validate_update=cv.persistent_volume_update, status_writes=(("status", corekinds.pv_status),),
    return_deleted_object=True)
PERSISTENT_VOLUME_CLAIM = Strategy(
    has_status=True, initial_status=lambda obj: {"phase": "Pending"}, prepare_create=corekinds.pvc_create,
    prepare_update=corekinds.pvc_update, default=coredefaults.persistent_volume_claim,
    validate=corekinds.warned(cv.persistent_volume_claim, cv.persistent_volume_claim_warnings),
    validate_update=corekinds.pvc_validate_update, return_deleted_object=True)
ENDPOINTS = Strategy(allow_create_on_update=True, default=coredefaults.endpoints, validate=cv.endpoints)
LIMIT_RANGE = Strategy(default=coredefaults.limit_range, validate=cv.limit_range)
RESOURCE_QUOTA = Strategy(has_status=True, initial_status=lambda obj: {}, default=coredefaults.resource_quota,
                          validate=cv.resource_quota, validate_update=cv.resource_quota_update)
STATUS_ONLY = Strategy(has_status=True)
REPLICA_SET = Strategy(tracks_generation=True, has_status=True, scalable=True, default=defaults.replica_set,
                       validate=kv.replica_set,
                       selectable_fields=lambda obj: {"status.replicas": _str(_get(obj, "status", "replicas") or 0)})
JOB = Strategy(tracks_generation=True, has_status=True, default=defaults.job, validate=kv.job,
               validate_update=immutable(("spec", "selector"), ("spec", "completionMode")),
               selectable_fields=lambda obj: {"status.successful": _str(_get(obj, "status", "successful") or 0)})
RBAC = Strategy(allow_create_on_update=True, name_rule="path")
GENERATION_ONLY = Strategy(tracks_generation=True)


def _with_conditions(status: Obj | None, conditions_from: Obj | None) -> Obj:
    out = {k: v for k, v in (status or {}).items() if k != "conditions"}
    if conditions_from and conditions_from.get("conditions") is not None:
        out["conditions"] = conditions_from["conditions"]
    return out


def _csr_status(sent: Obj | None, stored: Obj | None) -> Obj | None:
    # the status subresource issues certificates; approval conditions belong to the approval subresource
    return _with_conditions(sent, stored)


def _csr_approval(sent: Obj | None, stored: Obj | None) -> Obj | None:
    return _with_conditions(stored, sent)


def _csr_keep_spec(new: Obj, old: Obj) -> None:
    # kube's PrepareForUpdate: a request, once made, does not change (the requestor least of all)
    if "spec" in old:
        new["spec"] = old["spec"]


REPLICATION_CONTROLLER = Strategy(
    tracks_generation=True, has_status=True, initial_status=lambda obj: {"replicas": 0}, scalable=True,
    default=defaults.replication_controller, validate=cv.replication_controller,
    validate_update=cv.replication_controller_update,
    selectable_fields=lambda obj: {"status.replicas": _str(_get(obj, "status", "replicas") or 0)})
POD_TEMPLATE = Strategy(tracks_generation=True, default=defaults.pod_template, validate=cv.pod_template)
HORIZONTAL_POD_AUTOSCALER = Strategy(has_status=True, default=defaults.horizontal_pod_autoscaler,
                                     validate=hpavalidation.horizontal_pod_autoscaler)
# v1 is converted to the hub before the store sees it: only its own defaults are v1's
HORIZONTAL_POD_AUTOSCALER_V1 = dataclasses.replace(HORIZONTAL_POD_AUTOSCALER,
                                                   default=defaults.horizontal_pod_autoscaler_v1)
INGRESS_CLASS = Strategy(tracks_generation=True, default=defaults.ingress_class)
CSI_DRIVER = Strategy(default=defaults.csi_driver)
CERTIFICATE_SIGNING_REQUEST = Strategy(
    has_status=True, initial_status=lambda obj: {}, actions=("approval",), prepare_update=_csr_keep_spec,
    status_writes=(("status", _csr_status), ("approval", _csr_approval)),
    selectable_fields=lambda obj: _fields(obj, {"spec.signerName": ("spec", "signerName")}))
ENDPOINT_SLICE = Strategy(tracks_generation=True, default=defaults.endpoint_slice)
PRIORITY_CLASS = Strategy(default=defaults.priority_class)


def _storage_class_update(new: Obj, old: Obj) -> list[errors.Cause]:
    causes = [errors.Cause("FieldValueForbidden", f"Forbidden: updates to {field} are forbidden.", field)
              for field in ("parameters", "provisioner", "reclaimPolicy") if new.get(field) != old.get(field)]
    return causes + immutable(("volumeBindingMode",))(new, old)


STORAGE_CLASS = Strategy(default=defaults.storage_class, validate_update=_storage_class_update)
