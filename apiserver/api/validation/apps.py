"""kube's validation of the apps/v1 kinds (pkg/apis/apps/validation): Deployment, ReplicaSet, StatefulSet,
DaemonSet and ControllerRevision, on create and on update, in kube's order."""
from __future__ import annotations

import re
from typing import Any

import orjson

from apiserver.api.meta.errors import Cause
from apiserver.api.meta.labels import SelectorParseError, selector_from_label_selector_object
from apiserver.api.meta.types import Obj
from apiserver.api.validation.kinds import (
    GoValue,
    annotation_errors,
    forbidden,
    go_label_selector,
    immutable_field,
    invalid,
    is_int,
    nonnegative,
    not_supported,
    required,
    semantic,
    spec_of,
    string_map,
)
from apiserver.api.validation.labelselector import label_map, label_selector
from apiserver.api.validation.pods import always_restarting, pod_template

_PERCENT = re.compile(r"[0-9]+%")
_PERCENT_MESSAGE = ("a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or "
                    "'93%', regex used for validation is '[0-9]+%')")
STATEFUL_SET_UPDATABLE = ("updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                          "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are "
                          "forbidden")


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _template_labels(template: Any) -> Any:
    return _dict(_dict(template).get("metadata")).get("labels")


def selector_and_template(spec: Obj, empty_message: str, unparsable: str) -> tuple[list[Cause], Any]:
    """The selector's own checks; and the parsed selector, or None when it does not parse (kube then leaves the
    template unchecked)."""
    causes: list[Cause] = []
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        causes.append(required("spec.selector"))
    else:
        causes += label_selector(selector, "spec.selector")
        if not (selector.get("matchLabels") or selector.get("matchExpressions")):
            causes.append(invalid("spec.selector", go_label_selector(selector), empty_message))
    try:
        parsed = selector_from_label_selector_object(selector if isinstance(selector, dict) else None)
    except SelectorParseError:
        causes.append(invalid("spec.selector", go_label_selector(_dict(selector)), unparsable))
        return causes, None
    return causes, parsed


def _matches_template(parsed: Any, template: Any, path: str) -> list[Cause]:
    """A selector that is not empty must select its own template (a missing selector selects nothing)."""
    labels = _template_labels(template)
    if parsed.empty() or parsed.matches(labels if isinstance(labels, dict) else {}):
        return []
    return [invalid(f"{path}.metadata.labels", string_map(labels), "`selector` does not match template `labels`")]


def _replica_set_template(spec: Obj, parsed: Any, kind: str) -> list[Cause]:
    """kube's ValidatePodTemplateSpecForReplicaSet, shared by Deployments, ReplicaSets and DaemonSets' checks."""
    template = spec.get("template")
    causes = _matches_template(parsed, template, "spec.template") + pod_template(template, "spec.template")
    return causes + always_restarting(template, kind)


def _int_or_percent(value: Any, path: str) -> list[Cause]:
    """kube's ValidatePositiveIntOrPercent."""
    if isinstance(value, str):
        if not _PERCENT.fullmatch(value):
            return [invalid(path, _rendered_int_or_string(value), _PERCENT_MESSAGE)]
        return []
    return nonnegative(value, path)


def _int_or_percent_value(value: Any) -> int:
    if isinstance(value, str):
        return int(value[:-1]) if _PERCENT.fullmatch(value) else 0
    return value if is_int(value) else 0


def _over_100_percent(value: Any, path: str) -> list[Cause]:
    if isinstance(value, str) and _PERCENT.fullmatch(value) and int(value[:-1]) > 100:
        return [invalid(path, _rendered_int_or_string(value), "must not be greater than 100%")]
    return []


def _deployment_strategy(strategy: Obj) -> list[Cause]:
    kind = strategy.get("type") or ""
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            return [forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is "
                                                             "'Recreate'")]
        return []
    if kind == "RollingUpdate":
        if not isinstance(rolling, dict):
            return [required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil")]
        path = "spec.strategy.rollingUpdate"
        causes = _int_or_percent(rolling.get("maxUnavailable"), f"{path}.maxUnavailable")
        causes += _int_or_percent(rolling.get("maxSurge"), f"{path}.maxSurge")
        if not _int_or_percent_value(rolling.get("maxUnavailable")) and \
                not _int_or_percent_value(rolling.get("maxSurge")):
            causes.append(invalid(f"{path}.maxUnavailable", _rendered_int_or_string(rolling.get("maxUnavailable")),
                                  "may not be 0 when `maxSurge` is 0"))
        return causes + _over_100_percent(rolling.get("maxUnavailable"), f"{path}.maxUnavailable")
    rendered = GoValue(f'apps.DeploymentStrategy{{Type:"{kind}", '
                       f'RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}}')
    return [not_supported("spec.strategy", rendered, ("Recreate", "RollingUpdate"))]


def _rendered_int_or_string(value: Any) -> GoValue:
    """An intstr.IntOrString as `%#v` prints it."""
    if isinstance(value, str):
        return GoValue(f'intstr.IntOrString{{Type:1, IntVal:0, StrVal:"{value}"}}')
    return GoValue(f'intstr.IntOrString{{Type:0, IntVal:{value or 0}, StrVal:""}}')


def deployment(obj: Obj) -> list[Cause]:
    """kube's ValidateDeploymentSpec."""
    spec = spec_of(obj)
    causes = nonnegative(spec.get("replicas"), "spec.replicas")
    selector_causes, parsed = selector_and_template(spec, "empty selector is invalid for deployment",
                                                    "invalid label selector")
    causes += selector_causes
    if parsed is not None:
        causes += _replica_set_template(spec, parsed, "ReplicaSet")
    causes += _deployment_strategy(_dict(spec.get("strategy")))
    causes += nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    causes += nonnegative(spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit")
    deadline = spec.get("progressDeadlineSeconds")
    if is_int(deadline):
        causes += nonnegative(deadline, "spec.progressDeadlineSeconds")
        if deadline <= (spec.get("minReadySeconds") or 0):
            causes.append(invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"))
    return causes


def _selector_immutable(new: Obj, old: Obj) -> list[Cause]:
    """apps/v1 selectors are fixed at creation."""
    selector = spec_of(new).get("selector")
    return immutable_field(selector, spec_of(old).get("selector"), "spec.selector",
                           go_label_selector(selector) if isinstance(selector, dict) else GoValue("null"))


def replica_set(obj: Obj) -> list[Cause]:
    """kube's ValidateReplicaSetSpec."""
    spec = spec_of(obj)
    causes = nonnegative(spec.get("replicas"), "spec.replicas")
    causes += nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    selector_causes, parsed = selector_and_template(spec, "empty selector is invalid for deployment",
                                                    "invalid label selector")
    causes += selector_causes
    if parsed is not None:
        causes += _replica_set_template(spec, parsed, "ReplicaSet")
    return causes


def workload_update(new: Obj, old: Obj) -> list[Cause]:
    """Deployments, ReplicaSets and DaemonSets: the selector may not change."""
    return _selector_immutable(new, old)


def _stateful_set_template(spec: Obj, parsed: Any) -> list[Cause]:
    """kube's ValidatePodTemplateSpecForStatefulSet: 1.32 checks the template's metadata, not its pod spec."""
    template = _dict(spec.get("template"))
    causes = _matches_template(parsed, template, "spec.template")
    meta = _dict(template.get("metadata"))
    causes += label_map(meta.get("labels"), "spec.template.labels")
    return causes + annotation_errors(meta.get("annotations"), "spec.template.annotations")


def stateful_set(obj: Obj) -> list[Cause]:
    """kube's ValidateStatefulSetSpec."""
    spec = spec_of(obj)
    causes: list[Cause] = []
    policy = spec.get("podManagementPolicy") or ""
    if not policy:
        causes.append(required("spec.podManagementPolicy"))
    elif policy not in ("OrderedReady", "Parallel"):
        causes.append(invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'"))
    strategy = _dict(spec.get("updateStrategy"))
    kind, rolling = strategy.get("type") or "", strategy.get("rollingUpdate")
    if not kind:
        causes.append(required("spec.updateStrategy"))
    elif kind == "RollingUpdate":
        if isinstance(rolling, dict):
            path = "spec.updateStrategy.rollingUpdate"
            causes += nonnegative(rolling.get("partition", 0), f"{path}.partition")
            if rolling.get("maxUnavailable") is not None:
                unavailable = rolling["maxUnavailable"]
                causes += _int_or_percent(unavailable, f"{path}.maxUnavailable")
                if not _int_or_percent_value(unavailable):
                    causes.append(invalid(f"{path}.maxUnavailable", _rendered_int_or_string(unavailable),
                                          "cannot be 0"))
                causes += _over_100_percent(unavailable, f"{path}.maxUnavailable")
    elif kind != "OnDelete":
        causes.append(invalid("spec.updateStrategy", GoValue(
            f'apps.StatefulSetUpdateStrategy{{Type:"{kind}", '
            f'RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}}'), "must be 'RollingUpdate' or 'OnDelete'"))
    retention = spec.get("persistentVolumeClaimRetentionPolicy")
    if isinstance(retention, dict):
        for field in ("whenDeleted", "whenScaled"):
            value = retention.get(field) or ""
            if value not in ("Retain", "Delete"):
                causes.append(not_supported(f"spec.persistentVolumeClaimRetentionPolicy.{field}", value,
                                            ("Retain", "Delete")))
    causes += nonnegative(spec.get("replicas"), "spec.replicas")
    causes += nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    if isinstance(spec.get("ordinals"), dict):
        causes += nonnegative(spec["ordinals"].get("start", 0), "spec.ordinals.start")
    selector_causes, parsed = selector_and_template(spec, "empty selector is invalid for statefulset", "")
    causes += selector_causes
    if parsed is not None:
        causes += _stateful_set_template(spec, parsed)
    causes += always_restarting(spec.get("template"), "StatefulSet")
    return causes


_STATEFUL_SET_MUTABLE = ("replicas", "template", "updateStrategy", "minReadySeconds", "ordinals",
                         "persistentVolumeClaimRetentionPolicy")


def stateful_set_update(new: Obj, old: Obj) -> list[Cause]:
    """Only the fields kube lists may change; the rest of the spec is fixed at creation."""
    def fixed(spec: Obj) -> Any:
        return semantic({k: v for k, v in spec.items() if k not in _STATEFUL_SET_MUTABLE})
    if fixed(spec_of(new)) != fixed(spec_of(old)):
        return [forbidden("spec", STATEFUL_SET_UPDATABLE)]
    return []


def _daemon_set_strategy(strategy: Obj) -> list[Cause]:
    kind = strategy.get("type") or ""
    path = "spec.updateStrategy"
    if kind == "OnDelete":
        return []
    if kind == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if not isinstance(rolling, dict):
            return [required(f"{path}.rollingUpdate")]
        path = f"{path}.rollingUpdate"
        unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
        causes = _int_or_percent(unavailable, f"{path}.maxUnavailable") + _int_or_percent(surge, f"{path}.maxSurge")
        causes += _over_100_percent(unavailable, f"{path}.maxUnavailable")
        causes += _over_100_percent(surge, f"{path}.maxSurge")
        has_unavailable, has_surge = _int_or_percent_value(unavailable) != 0, _int_or_percent_value(surge) != 0
        if has_unavailable and has_surge:
            causes.append(invalid(f"{path}.maxSurge", _rendered_int_or_string(surge),
                                  "may not be set when maxUnavailable is non-zero"))
        elif not has_unavailable and not has_surge:
            causes.append(required(f"{path}.maxUnavailable", "cannot be 0 when maxSurge is 0"))
        return causes
    rendered = GoValue(f'apps.DaemonSetUpdateStrategy{{Type:"{kind}", '
                       f'RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}}')
    return [not_supported(path, rendered, ("RollingUpdate", "OnDelete"))]


def daemon_set(obj: Obj) -> list[Cause]:
    """kube's ValidateDaemonSetSpec."""
    spec = spec_of(obj)
    selector = spec.get("selector")
    causes = label_selector(selector, "spec.selector")
    try:
        parsed = selector_from_label_selector_object(selector if isinstance(selector, dict) else None)
    except SelectorParseError:
        parsed = None
    if parsed is not None:
        labels = _template_labels(spec.get("template"))
        if not parsed.matches(labels if isinstance(labels, dict) else {}):
            causes.append(invalid("spec.template.metadata.labels", string_map(labels),
                                  "`selector` does not match template `labels`"))
    if isinstance(selector, dict) and not (selector.get("matchLabels") or selector.get("matchExpressions")):
        causes.append(invalid("spec.selector", go_label_selector(selector), "empty selector is invalid for daemonset"))
    causes += pod_template(spec.get("template"), "spec.template")
    causes += always_restarting(spec.get("template"), "DaemonSet")
    causes += nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    causes += _daemon_set_strategy(_dict(spec.get("updateStrategy")))
    return causes + nonnegative(spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit")


def controller_revision(obj: Obj) -> list[Cause]:
    causes = [] if obj.get("data") is not None else [required("data", "data is mandatory")]
    return causes + nonnegative(obj.get("revision"), "revision")


def _raw_extension(data: Any) -> GoValue:
    """The internal form of a revision's data as `%#v` prints it: the JSON it was sent as, in bytes."""
    raw = ", ".join(f"0x{b:x}" for b in orjson.dumps(data))
    return GoValue(f'runtime.Unknown{{TypeMeta:runtime.TypeMeta{{APIVersion:"", Kind:""}}, Raw:[]byte{{{raw}}}, '
                   f'ContentEncoding:"", ContentType:"application/json"}}')


def controller_revision_update(new: Obj, old: Obj) -> list[Cause]:
    """A revision's data never changes (its revision number may)."""
    if new.get("data") is None:
        return []
    return immutable_field(new.get("data"), old.get("data"), "data", _raw_extension(new.get("data")))


# --- status writes ----------------------------------------------------------------------------------------------

_MORE_THAN_REPLICAS = "cannot be greater than status.replicas"


def _status_counts(status: Obj, fields: tuple[str, ...]) -> list[Cause]:
    causes: list[Cause] = []
    for field in fields:
        causes += nonnegative(status.get(field, 0), f"status.{field}")
    return causes


def _not_above(status: Obj, fields: tuple[str, ...], ceiling: str, message: str) -> list[Cause]:
    top = status.get(ceiling) or 0
    return [invalid(f"status.{field}", status.get(field), message) for field in fields
            if is_int(status.get(field)) and status[field] > top]


def _collisions_kept(new: Obj, old: Obj) -> list[Cause]:
    """kube's IsDecremented check of status.collisionCount."""
    count, before = _dict(new.get("status")).get("collisionCount"), _dict(old.get("status")).get("collisionCount")
    if before is not None and (count is None or (is_int(count) and is_int(before) and count < before)):
        return [invalid("status.collisionCount", count or 0, "cannot be decremented")]
    return []


def deployment_status(new: Obj, old: Obj) -> list[Cause]:
    """kube's ValidateDeploymentStatusUpdate."""
    status = _dict(new.get("status"))
    causes = _status_counts(status, ("observedGeneration", "replicas", "updatedReplicas", "readyReplicas",
                                     "availableReplicas", "unavailableReplicas"))
    if status.get("collisionCount") is not None:
        causes += nonnegative(status["collisionCount"], "status.collisionCount")
    causes += _not_above(status, ("updatedReplicas", "readyReplicas", "availableReplicas"), "replicas",
                         _MORE_THAN_REPLICAS)
    causes += _not_above(status, ("availableReplicas",), "readyReplicas", "cannot be greater than readyReplicas")
    return causes + _collisions_kept(new, old)


def replica_set_status(new: Obj, old: Obj) -> list[Cause]:
    """kube's ValidateReplicaSetStatusUpdate."""
    status = _dict(new.get("status"))
    causes = _status_counts(status, ("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas",
                                     "observedGeneration"))
    causes += _not_above(status, ("fullyLabeledReplicas", "readyReplicas", "availableReplicas"), "replicas",
                         _MORE_THAN_REPLICAS)
    return causes + _not_above(status, ("availableReplicas",), "readyReplicas",
                               "cannot be greater than readyReplicas")


def stateful_set_status(new: Obj, old: Obj) -> list[Cause]:
    """kube's ValidateStatefulSetStatusUpdate."""
    status = _dict(new.get("status"))
    causes = _status_counts(status, ("replicas", "readyReplicas", "currentReplicas", "updatedReplicas",
                                     "availableReplicas"))
    for field in ("observedGeneration", "collisionCount"):
        if status.get(field) is not None:
            causes += nonnegative(status[field], f"status.{field}")
    causes += _not_above(status, ("readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"),
                         "replicas", _MORE_THAN_REPLICAS)
    causes += _not_above(status, ("availableReplicas",), "readyReplicas",
                         "cannot be greater than status.readyReplicas")
    return causes + _collisions_kept(new, old)


def daemon_set_status(new: Obj, old: Obj) -> list[Cause]:
    """kube's ValidateDaemonSetStatusUpdate."""
    status = _dict(new.get("status"))
    causes = _status_counts(status, ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
                                     "numberReady", "observedGeneration", "updatedNumberScheduled",
                                     "numberAvailable", "numberUnavailable"))
    if status.get("collisionCount") is not None:
        causes += nonnegative(status["collisionCount"], "status.collisionCount")
    return causes + _collisions_kept(new, old)
