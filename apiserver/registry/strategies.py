"""The strategies of the built-in resources: only what differs from the generic path."""
from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Mapping
from typing import Any

from apiserver.api.meta import errors
from apiserver.api.meta.types import Obj
from apiserver.api.validation import admissionregistration as arvalidation
from apiserver.api.validation import apps, batch, configdata, pods
from apiserver.api.validation import cluster as cv
from apiserver.api.validation import core as corevalidation
from apiserver.api.validation import hpa as hpavalidation
from apiserver.api.validation import networking as netvalidation
from apiserver.api.validation import rbac as rbacvalidation
from apiserver.api.validation import storage as sv
from apiserver.registry import coredefaults, corekinds, defaults, services, webhookdefaults, workloads
from apiserver.registry.deletion import has_finalizers
from apiserver.registry.semantic import spec_changed
from apiserver.registry.servicealloc import service_effects
from apiserver.registry.strategy import Strategy, warn_on_create, warn_on_every_write

NAMESPACE_FINALIZER = "kubernetes"
# kube's NamespaceLifecycle refuses to delete these


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


def _pod_grace_period(pod: Obj, requested: int | None) -> int:
    """Seconds a deleted pod stays: the request's, else its terminationGracePeriodSeconds; none for a pod that
    is not on a node or has finished, since no kubelet has anything to stop."""
    period = requested if requested is not None else _get(pod, "spec", "terminationGracePeriodSeconds") or 0
    if not _get(pod, "spec", "nodeName") or _get(pod, "status", "phase") in ("Failed", "Succeeded"):
        return 0
    return period if period >= 0 else 1


def _secret_defaults(obj: Obj) -> None:
    configdata.merge_string_data(obj)
    if not obj.get("type"):
        obj["type"] = "Opaque"


def _zero_status(*fields: str) -> Callable[[Obj], Obj]:
    """A new object's status struct as Go writes it: empty but for the counts without omitempty, which are 0
    (clients whose models require them, such as the Python client's, refuse a status without them)."""
    return lambda obj: dict.fromkeys(fields, 0)


WORKLOAD = Strategy(tracks_generation=True, has_status=True)
DEPLOYMENT = Strategy(
    tracks_generation=True, has_status=True, initial_status=_zero_status(), scalable=True, default=defaults.deployment,
    validate_create=apps.deployment, prepare_update=workloads.deployment_prepare_update,
    validate_update=workloads.whole_then_update(apps.deployment, apps.workload_update),
    validate_status=apps.deployment_status, warnings=workloads.workload_warnings(name_used=True))
STATEFUL_SET = Strategy(
    tracks_generation=True, has_status=True, initial_status=_zero_status("replicas", "availableReplicas"),
    scalable=True, name_rule="label", default=defaults.stateful_set, validate_create=apps.stateful_set,
    validate_update=workloads.whole_then_update(apps.stateful_set, apps.stateful_set_update),
    validate_status=apps.stateful_set_status, warnings=workloads.workload_warnings(name_used=False))
DAEMON_SET = Strategy(
    tracks_generation=True, has_status=True, default=defaults.daemon_set,
    initial_status=_zero_status("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
                                "numberReady"),
    prepare_create=workloads.daemon_set_prepare_create, prepare_update=workloads.daemon_set_prepare_update,
    validate_create=apps.daemon_set, validate_update=workloads.whole_then_update(apps.daemon_set, apps.workload_update),
    validate_status=apps.daemon_set_status, warnings=workloads.workload_warnings(name_used=False))
CONTROLLER_REVISION = Strategy(
    validate_create=apps.controller_revision,
    validate_update=workloads.whole_then_update(apps.controller_revision, apps.controller_revision_update))
CRON_JOB = Strategy(tracks_generation=True, has_status=True, initial_status=_zero_status(), default=defaults.cron_job,
                    validate_create=batch.cron_job, validate_update=batch.cron_job,
                    warnings=workloads.cron_job_warnings)
POD = Strategy(has_status=True, initial_status=_pod_initial_status, selectable_fields=_pod_fields,
               prepare_create=workloads.pod_prepare_create, validate_create=workloads.pod_validate_create,
               validate_update=workloads.whole_then_update(pods.pod, pods.pod_update),
               validate_status=pods.pod_status, warnings=workloads.pod_warnings_on_create,
               return_deleted_object=True, default=defaults.pod, actions=("binding", "eviction"),
               grace_period=_pod_grace_period, status_writes=(("status", workloads.pod_status_write),))
NAMESPACE = Strategy(has_status=True, initial_status=lambda obj: {"phase": "Active"},
                     default=_namespace_defaults, prepare_create=_namespace_create,
                     prepare_update=_namespace_keep_finalizers, pending_finalizers=_namespace_held,
                     validate=corevalidation.namespace, return_deleted_object=True,
                     mark_deleting=_namespace_terminating,
                     selectable_fields=lambda obj: _fields(obj, {"status.phase": ("status", "phase")}),
                     name_rule="label", actions=("finalize",))
SERVICE = Strategy(has_status=True, initial_status=lambda obj: {"loadBalancer": {}}, name_rule="dns1035",
                   default=defaults.service, validate=services.validate, prepare_update=services.prepare_update,
                   validate_update=services.validate_update, effects=service_effects, return_deleted_object=True,
                   selectable_fields=lambda obj: _fields(obj, {"spec.clusterIP": ("spec", "clusterIP"),
                                                               "spec.type": ("spec", "type")}))
SECRET = Strategy(default=_secret_defaults, validate_create=configdata.secret, validate_update=configdata.secret_update,
                  selectable_fields=lambda obj: _fields(obj, {"type": ("type",)}))
CONFIG_MAP = Strategy(validate_create=configdata.config_map, validate_update=configdata.config_map_update)
NODE = Strategy(has_status=True, initial_status=corekinds.node_initial_status, prepare_create=corekinds.node_create,
                prepare_update=corekinds.node_update, default=coredefaults.node,
                validate=corevalidation.node, warnings=warn_on_every_write(corevalidation.node_warnings),
                validate_update=corevalidation.node_update,
                selectable_fields=lambda obj: {
                    "spec.unschedulable": _str(_get(obj, "spec", "unschedulable")) or "false"})
# a core/v1 Event's name is checked as a path segment only (kube's generic check); events.k8s.io/v1 adds DNS rules
EVENT = Strategy(selectable_fields=lambda obj: {**_fields(obj, _EVENT_FIELDS), "source": corekinds.event_source(obj)},
                 allow_create_on_update=True, validate=corevalidation.event,
                 validate_create=corekinds.event_validate_create,
                 validate_update=corekinds.event_validate_update, name_rule="path")
EVENT_V1 = dataclasses.replace(EVENT, default=corekinds.speaks_events_v1)
UPSERTABLE = Strategy(allow_create_on_update=True)
SERVICE_ACCOUNT = Strategy(actions=("token",), prepare_create=corekinds.clean_secret_references,
                           prepare_update=lambda new, old: corekinds.clean_secret_references(new),
                           validate=corevalidation.service_account,
                           warnings=warn_on_every_write(corevalidation.service_account_warnings),
                           return_deleted_object=True)
PERSISTENT_VOLUME = Strategy(
    has_status=True, initial_status=corekinds.pv_initial_status, prepare_create=corekinds.pv_create,
    prepare_update=corekinds.pv_update, default=coredefaults.persistent_volume,
    validate=corevalidation.persistent_volume,
    warnings=warn_on_every_write(corevalidation.persistent_volume_warnings),
    validate_update=corevalidation.persistent_volume_update, status_writes=(("status", corekinds.pv_status),),
    return_deleted_object=True)
PERSISTENT_VOLUME_CLAIM = Strategy(
    has_status=True, initial_status=lambda obj: {"phase": "Pending"}, prepare_create=corekinds.pvc_create,
    prepare_update=corekinds.pvc_update, default=coredefaults.persistent_volume_claim,
    validate=corevalidation.persistent_volume_claim,
    warnings=warn_on_every_write(corevalidation.persistent_volume_claim_warnings),
    validate_update=corekinds.pvc_validate_update, return_deleted_object=True)
ENDPOINTS = Strategy(allow_create_on_update=True, default=coredefaults.endpoints, validate=corevalidation.endpoints)
LIMIT_RANGE = Strategy(default=coredefaults.limit_range, validate=corevalidation.limit_range)
RESOURCE_QUOTA = Strategy(has_status=True, initial_status=lambda obj: {}, default=coredefaults.resource_quota,
                          validate=corevalidation.resource_quota, validate_update=corevalidation.resource_quota_update,
                          validate_status=corevalidation.resource_quota_status)
STATUS_ONLY = Strategy(has_status=True)
REPLICA_SET = Strategy(
    tracks_generation=True, has_status=True, initial_status=_zero_status("replicas"), scalable=True,
    default=defaults.replica_set,
    validate_create=apps.replica_set,
    validate_update=workloads.whole_then_update(apps.replica_set, apps.workload_update),
    validate_status=apps.replica_set_status, warnings=workloads.workload_warnings(name_used=True),
    selectable_fields=lambda obj: {"status.replicas": workloads.count_field(obj, "replicas")})
JOB = Strategy(tracks_generation=True, has_status=True, initial_status=_zero_status(), default=defaults.job,
               prepare_create=workloads.job_prepare_create, prepare_update=workloads.job_prepare_update,
               validate_create=batch.job, validate_update=workloads.whole_then_update(batch.job, batch.job_update),
               validate_status=batch.job_status, warnings=workloads.job_warnings,
               selectable_fields=lambda obj: {"status.successful": workloads.count_field(obj, "succeeded")})


REPLICATION_CONTROLLER = Strategy(
    tracks_generation=True, has_status=True, initial_status=_zero_status("replicas"), scalable=True,
    default=defaults.replication_controller, validate=corevalidation.replication_controller,
    validate_update=corevalidation.replication_controller_update,
    # kube's ValidateReplicationControllerStatus has the ReplicaSet's rules
    validate_status=apps.replica_set_status,
    selectable_fields=lambda obj: {"status.replicas": _str(_get(obj, "status", "replicas") or 0)})
POD_TEMPLATE = Strategy(tracks_generation=True, default=defaults.pod_template, validate=corevalidation.pod_template)
# a new autoscaler shows kube's zero status: desiredReplicas and currentMetrics are not omitempty in v2
HORIZONTAL_POD_AUTOSCALER = Strategy(has_status=True, default=defaults.horizontal_pod_autoscaler,
                                     initial_status=lambda obj: {"currentMetrics": None, "desiredReplicas": 0},
                                     validate=hpavalidation.horizontal_pod_autoscaler,
                                     validate_status=hpavalidation.horizontal_pod_autoscaler_status)
# v1 is converted to the hub before the store sees it: only its own defaults are v1's
HORIZONTAL_POD_AUTOSCALER_V1 = dataclasses.replace(HORIZONTAL_POD_AUTOSCALER,
                                                   default=defaults.horizontal_pod_autoscaler_v1)



# --- the cluster kinds: storage.k8s.io, scheduling.k8s.io, node.k8s.io, coordination.k8s.io, certificates.k8s.io,
# policy ---------------------------------------------------------------------------------------------------------

def _csi_driver_generation(new: Obj, old: Obj) -> None:
    # kube sets no generation on create, yet counts spec changes from the stored one (none: 0)
    if spec_changed(new, old):
        new["metadata"]["generation"] = int(old["metadata"].get("generation") or 0) + 1


STORAGE_CLASS = Strategy(default=defaults.storage_class, validate=sv.storage_class,
                         warnings=warn_on_every_write(sv.storage_class_warnings),
                         validate_update=sv.storage_class_update, return_deleted_object=True)
CSI_DRIVER = Strategy(default=defaults.csi_driver, validate=sv.csi_driver, validate_update=sv.csi_driver_update,
                      prepare_update=_csi_driver_generation, return_deleted_object=True)
CSI_NODE = Strategy(validate=sv.csi_node, validate_update=sv.csi_node_update, return_deleted_object=True)
CSI_STORAGE_CAPACITY = Strategy(validate=sv.csi_storage_capacity,
                                warnings=warn_on_every_write(sv.csi_storage_capacity_warnings),
                                validate_update=sv.csi_storage_capacity_update)
VOLUME_ATTACHMENT = Strategy(
    has_status=True, initial_status=lambda obj: {"attached": False}, validate=sv.volume_attachment,
    validate_update=sv.volume_attachment_update, return_deleted_object=True,
    validate_status=sv.volume_attachment_status)


def _first_generation(obj: Obj) -> None:
    # kube's PriorityClass strategy starts generation at 1 and never bumps it
    obj["metadata"]["generation"] = 1


def _priority_class_check_delete(obj: Obj) -> None:
    name = obj["metadata"]["name"]
    if name in cv.SYSTEM_PRIORITY_CLASSES:
        raise errors.forbidden_on("priorityclasses", "scheduling.k8s.io", name,
                                  "this is a system priority class and cannot be deleted")


PRIORITY_CLASS = Strategy(default=defaults.priority_class, prepare_create=_first_generation, validate=cv.priority_class,
                          validate_update=cv.priority_class_update, check_delete=_priority_class_check_delete)
RUNTIME_CLASS = Strategy(allow_create_on_update=True, validate=cv.runtime_class,
                         warnings=warn_on_every_write(cv.runtime_class_warnings),
                         validate_update=cv.runtime_class_update)

# spec fields of the CoordinatedLeaderElection feature, off in kube 1.32: dropped unless the stored lease has them
_COORDINATED_ELECTION_FIELDS = ("strategy", "preferredHolder")


def _lease_create(obj: Obj) -> None:
    spec = obj.get("spec")
    if isinstance(spec, dict):
        for field in _COORDINATED_ELECTION_FIELDS:
            spec.pop(field, None)


def _lease_update(new: Obj, old: Obj) -> None:
    spec, stored = new.get("spec"), old.get("spec") or {}
    if isinstance(spec, dict):
        for field in _COORDINATED_ELECTION_FIELDS:
            if stored.get(field) is None:
                spec.pop(field, None)


LEASE = Strategy(allow_create_on_update=True, prepare_create=_lease_create, prepare_update=_lease_update,
                 validate=cv.lease)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _stamped(conditions: list[Obj], stored: list[Obj]) -> list[Obj]:
    """kube's populateConditionTimestamps: a condition without times is updated now, and its transition is the
    stored one of the same type and status, if any."""
    now = _now()
    out = []
    for condition in conditions:
        condition = dict(condition)
        if not condition.get("lastUpdateTime"):
            condition["lastUpdateTime"] = now
        if not condition.get("lastTransitionTime"):
            condition["lastTransitionTime"] = next(
                (c["lastTransitionTime"] for c in stored if c.get("type") == condition.get("type")
                 and c.get("status") == condition.get("status") and c.get("lastTransitionTime")), now)
        out.append(condition)
    return out


def _conditions(status: Obj | None) -> list[Obj]:
    return [c for c in (status or {}).get("conditions") or [] if isinstance(c, dict)]


def _with_conditions(status: Obj, conditions: list[Obj]) -> Obj:
    out = {k: v for k, v in status.items() if k != "conditions"}
    if conditions:
        out["conditions"] = conditions
    return out


def _csr_status(sent: Obj | None, stored: Obj | None) -> Obj | None:
    """The status subresource issues certificates and may set conditions other than approval: the stored Approved and
    Denied conditions are kept in place. kube refuses a status write adding one; here the stored approval stays."""
    stored_conditions, conditions = _conditions(stored), _conditions(sent)
    for kind in cv.APPROVAL_CONDITIONS:
        kept = [c for c in stored_conditions if c.get("type") == kind]
        at = [i for i, c in enumerate(conditions) if c.get("type") == kind]
        if len(at) == len(kept):
            for i, condition in zip(at, kept, strict=True):
                conditions[i] = condition
        elif len(at) > len(kept):
            conditions = [c for c in conditions if c.get("type") != kind] + kept
    return _with_conditions(sent or {}, _stamped(conditions, stored_conditions))


def _csr_approval(sent: Obj | None, stored: Obj | None) -> Obj | None:
    # the approval subresource writes the conditions and nothing else
    return _with_conditions(stored or {}, _stamped(_conditions(sent), _conditions(stored)))


def _csr_keep_spec(new: Obj, old: Obj) -> None:
    # kube's PrepareForUpdate: a request, once made, does not change (the requestor least of all)
    if "spec" in old:
        new["spec"] = old["spec"]


CERTIFICATE_SIGNING_REQUEST = Strategy(
    has_status=True, initial_status=lambda obj: {}, actions=("approval",), prepare_update=_csr_keep_spec,
    status_writes=(("status", _csr_status), ("approval", _csr_approval)), name_rule="path",
    validate=cv.certificate_signing_request,
    validate_status=cv.certificate_signing_request_update,
    selectable_fields=lambda obj: _fields(obj, {"spec.signerName": ("spec", "signerName")}))


# --- networking.k8s.io, discovery.k8s.io and rbac.authorization.k8s.io ------------------------------------------

def _network_policy_defaults(obj: Obj) -> None:
    # networking/v1 defaults: ports speak TCP, and a policy without policyTypes isolates ingress, and egress too
    # when it has egress rules; the pod selector is a struct kube always writes out
    spec = obj.setdefault("spec", {})
    if not isinstance(spec, dict):
        return
    spec.setdefault("podSelector", {})
    for direction in ("ingress", "egress"):
        for rule in spec.get(direction) or []:
            for port in (rule.get("ports") or []) if isinstance(rule, dict) else []:
                if isinstance(port, dict) and port.get("protocol") is None:
                    port["protocol"] = "TCP"
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]


def _drop_deprecated_topology(obj: Obj) -> None:
    # discovery/v1 has no deprecatedTopology to write: kube clears what a v1 client sends
    for endpoint in obj.get("endpoints") or []:
        if isinstance(endpoint, dict):
            endpoint.pop("deprecatedTopology", None)


def _endpoint_slice_update(new: Obj, old: Obj) -> None:
    _drop_deprecated_topology(new)
    # a slice has no spec: any change outside metadata moves its generation (the store sees to that), and so does
    # a change of its labels, which say which Service it serves
    if _get(new, "metadata", "labels") != _get(old, "metadata", "labels"):
        new["metadata"]["generation"] = int(_get(old, "metadata", "generation") or 0) + 1


def _serves_apiserver(obj: Obj) -> bool:
    """The replicas' endpoint reconciler publishes their advertise addresses in the default/kubernetes slices; a
    local cluster advertises loopback, which kube refuses for endpoints (its reconciler fails there)."""
    return (_get(obj, "metadata", "namespace") == "default"
            and _get(obj, "metadata", "labels", "kubernetes.io/service-name") == "kubernetes")


def _binding_defaults(obj: Obj) -> None:
    # rbac/v1 defaults: roleRef and User/Group subjects are in the RBAC group; ServiceAccounts are core
    if not isinstance(obj.get("roleRef"), dict):
        obj["roleRef"] = {}
    if not obj["roleRef"].get("apiGroup"):
        obj["roleRef"]["apiGroup"] = rbacvalidation.RBAC_GROUP
    for subject in obj.get("subjects") or []:
        if isinstance(subject, dict) and not subject.get("apiGroup") and subject.get("kind") in ("User", "Group"):
            subject["apiGroup"] = rbacvalidation.RBAC_GROUP


INGRESS = Strategy(tracks_generation=True, has_status=True, initial_status=lambda obj: {"loadBalancer": {}},
                   validate_create=netvalidation.ingress_create,
                   warnings=warn_on_create(netvalidation.ingress_warnings),
                   validate_update=netvalidation.ingress_update)
INGRESS_CLASS = Strategy(tracks_generation=True, default=defaults.ingress_class,
                         validate_create=netvalidation.ingress_class,
                         validate_update=netvalidation.ingress_class_update)
NETWORK_POLICY = Strategy(tracks_generation=True, default=_network_policy_defaults,
                          validate_create=netvalidation.network_policy,
                          validate_update=netvalidation.network_policy_update)
ENDPOINT_SLICE = Strategy(
    tracks_generation=True, default=defaults.endpoint_slice, prepare_create=_drop_deprecated_topology,
    prepare_update=_endpoint_slice_update,
    validate_create=lambda obj: netvalidation.endpoint_slice(obj, _serves_apiserver(obj)),
    warnings=warn_on_create(netvalidation.endpoint_slice_warnings),
    validate_update=lambda new, old: netvalidation.endpoint_slice_update(new, old, _serves_apiserver(new)))
ROLE = Strategy(allow_create_on_update=True, name_rule="path", validate_create=rbacvalidation.role,
                validate_update=rbacvalidation.role_update)
CLUSTER_ROLE = Strategy(allow_create_on_update=True, name_rule="path",
                        validate_create=rbacvalidation.cluster_role,
                        validate_update=rbacvalidation.cluster_role_update)
ROLE_BINDING = Strategy(allow_create_on_update=True, name_rule="path", default=_binding_defaults,
                        validate_create=rbacvalidation.role_binding,
                        validate_update=rbacvalidation.role_binding_update)
CLUSTER_ROLE_BINDING = Strategy(allow_create_on_update=True, name_rule="path", default=_binding_defaults,
                                validate_create=rbacvalidation.cluster_role_binding,
                                validate_update=rbacvalidation.cluster_role_binding_update)
POD_DISRUPTION_BUDGET = Strategy(
    tracks_generation=True, has_status=True, name_rule="path", validate=cv.pod_disruption_budget,
    initial_status=lambda obj: {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0},
    validate_status=cv.pod_disruption_budget_status)


# --- admissionregistration.k8s.io -------------------------------------------------------------------------------

# kube counts generations of webhook configurations: 1 on create, +1 when the webhooks change
MUTATING_WEBHOOK_CONFIGURATION = Strategy(
    tracks_generation=True, default=webhookdefaults.mutating_webhook_configuration,
    validate_create=arvalidation.mutating_webhook_configuration,
    validate_update=arvalidation.mutating_webhook_configuration_update)
VALIDATING_WEBHOOK_CONFIGURATION = Strategy(
    tracks_generation=True, default=webhookdefaults.validating_webhook_configuration,
    validate_create=arvalidation.validating_webhook_configuration,
    validate_update=arvalidation.validating_webhook_configuration_update)
