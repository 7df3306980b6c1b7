"""kube's validation of HorizontalPodAutoscalers, run on the hub (v2-shaped) object whatever version the
client spoke, so field paths are the hub's (`spec.metrics[0].resource.target.averageUtilization` for a v1
`targetCPUUtilizationPercentage`), as in kube, which validates its internal object."""
from __future__ import annotations

import re
from typing import Any

from apiserver.api.meta.errors import Cause, forbidden_field
from apiserver.api.meta.types import Obj
from apiserver.api.validation.kinds import invalid, nonnegative, not_supported, required
from apiserver.api.validation.metadata import name_errors

MAX_PERIOD_SECONDS = 1800
MAX_STABILIZATION_WINDOW_SECONDS = 3600
METRIC_SOURCES = ("ContainerResource", "External", "Object", "Pods", "Resource")
# the hub field each metric source type fills
SOURCE_FIELDS = {"Object": "object", "Pods": "pods", "Resource": "resource", "External": "external",
                 "ContainerResource": "containerResource"}
SELECT_POLICIES = ("Disabled", "Max", "Min")
POLICY_TYPES = ("Percent", "Pods")
_NUMBER = re.compile(r"\s*([+-]?)(\d+\.?\d*|\.\d+)")


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _positive(quantity: Any) -> bool:
    match = _NUMBER.match(str(quantity))
    return match is not None and match.group(1) != "-" and float(match.group(2)) > 0


def reference(ref: Obj, path: str) -> list[Cause]:
    causes = []
    for key in ("kind", "name"):
        value = ref.get(key) or ""
        if not value:
            causes.append(required(f"{path}.{key}"))
        else:
            causes += [invalid(f"{path}.{key}", value, m) for m in name_errors(value, "path")]
    return causes


def _identifier(ident: Obj, path: str) -> list[Cause]:
    name = ident.get("name") or ""
    if not name:
        return [required(f"{path}.name", "must specify a metric name")]
    return [invalid(f"{path}.name", name, m) for m in name_errors(name, "path")]


def _target(target: Obj, path: str) -> list[Cause]:
    causes = []
    kind = target.get("type") or ""
    if not kind:
        causes.append(required(f"{path}.type", "must specify a metric target type"))
    if kind not in ("Utilization", "Value", "AverageValue"):
        causes.append(invalid(f"{path}.type", kind, "must be either Utilization, Value, or AverageValue"))
    for key in ("value", "averageValue"):
        if target.get(key) is not None and not _positive(target[key]):
            causes.append(invalid(f"{path}.{key}", target[key], "must be positive"))
    utilization = target.get("averageUtilization")
    if isinstance(utilization, int) and utilization < 1:
        causes.append(invalid(f"{path}.averageUtilization", utilization, "must be greater than 0"))
    return causes


def _source(field: str, src: Obj, path: str) -> list[Cause]:
    target = _dict(src.get("target"))
    tpath = f"{path}.target"
    causes: list[Cause] = []
    if field in ("resource", "containerResource"):
        if not src.get("name"):
            causes.append(required(f"{path}.name", "must specify a resource name"))
        if field == "containerResource" and not src.get("container"):
            causes.append(required(f"{path}.container", "must specify a container"))
        causes += _target(target, tpath)
        if target.get("averageUtilization") is None and target.get("averageValue") is None:
            causes.append(required(f"{tpath}.averageUtilization", "must set either a target raw value or a target "
                                                                  "utilization"))
        if target.get("averageUtilization") is not None and target.get("averageValue") is not None:
            causes.append(forbidden_field(f"{tpath}.averageValue", "may not set both a target raw value and a "
                                                                   "target utilization"))
        return causes
    if field == "object":
        causes += reference(_dict(src.get("describedObject")), f"{path}.describedObject")
    causes += _identifier(_dict(src.get("metric")), f"{path}.metric") + _target(target, tpath)
    value, average = target.get("value"), target.get("averageValue")
    if field == "pods" and average is None:
        causes.append(required(f"{tpath}.averageValue", "must specify a positive target averageValue"))
    if field == "object" and value is None and average is None:
        causes.append(required(f"{tpath}.averageValue", "must set either a target value or averageValue"))
    if field == "external":
        if value is None and average is None:
            causes.append(required(f"{tpath}.averageValue", "must set either a target value for metric or a "
                                                            "per-pod target"))
        if value is not None and average is not None:
            causes.append(forbidden_field(f"{tpath}.value", "may not set both a target value for metric and a "
                                                            "per-pod target"))
    return causes


def _metric(metric: Obj, path: str) -> list[Cause]:
    kind = metric.get("type") or ""
    causes = []
    if not kind:
        causes.append(required(f"{path}.type", "must specify a metric source type"))
    if kind not in METRIC_SOURCES:
        causes.append(not_supported(f"{path}.type", kind, METRIC_SOURCES))
    present = [f for f in SOURCE_FIELDS.values() if metric.get(f) is not None]
    if present:
        causes += _source(present[0], _dict(metric[present[0]]), f"{path}.{present[0]}")
    expected = SOURCE_FIELDS.get(kind)
    if expected and metric.get(expected) is None:
        causes.append(required(f"{path}.{expected}", "must populate information for the given metric source"))
    causes += [forbidden_field(f"{path}.{f}", "must populate the given metric source only")
               for f in present if f != expected and len(present) > 1]
    return causes


def _rules(rules: Obj, path: str) -> list[Cause]:
    causes = []
    window = rules.get("stabilizationWindowSeconds")
    if isinstance(window, int) and window < 0:
        causes.append(invalid(f"{path}.stabilizationWindowSeconds", window, "must be greater than or equal to zero"))
    if isinstance(window, int) and window > MAX_STABILIZATION_WINDOW_SECONDS:
        causes.append(invalid(f"{path}.stabilizationWindowSeconds", window,
                              f"must be less than or equal to {MAX_STABILIZATION_WINDOW_SECONDS}"))
    select = rules.get("selectPolicy")
    if select is not None and select not in SELECT_POLICIES:
        causes.append(not_supported(f"{path}.selectPolicy", select, SELECT_POLICIES))
    policies = rules.get("policies") or []
    if not policies:
        causes.append(required(f"{path}.policies", "must specify at least one Policy"))
    for i, policy in enumerate(policies):
        ppath, policy = f"{path}.policies[{i}]", _dict(policy)
        if policy.get("type") not in POLICY_TYPES:
            causes.append(not_supported(f"{ppath}.type", policy.get("type", ""), POLICY_TYPES))
        value, period = policy.get("value") or 0, policy.get("periodSeconds") or 0
        if value <= 0:
            causes.append(invalid(f"{ppath}.value", value, "must be greater than zero"))
        if period <= 0:
            causes.append(invalid(f"{ppath}.periodSeconds", period, "must be greater than zero"))
        if period > MAX_PERIOD_SECONDS:
            causes.append(invalid(f"{ppath}.periodSeconds", period,
                                  f"must be less than or equal to {MAX_PERIOD_SECONDS}"))
    return causes


def horizontal_pod_autoscaler(obj: Obj) -> list[Cause]:
    spec = _dict(obj.get("spec"))
    causes = []
    low, high = spec.get("minReplicas"), spec.get("maxReplicas") or 0
    if isinstance(low, int) and low < 1:
        causes.append(invalid("spec.minReplicas", low, "must be greater than or equal to 1"))
    if high < 1:
        causes.append(invalid("spec.maxReplicas", high, "must be greater than 0"))
    if isinstance(low, int) and high < low:
        causes.append(invalid("spec.maxReplicas", high, "must be greater than or equal to `minReplicas`"))
    causes += reference(_dict(spec.get("scaleTargetRef")), "spec.scaleTargetRef")
    for i, metric in enumerate(spec.get("metrics") or []):
        causes += _metric(_dict(metric), f"spec.metrics[{i}]")
    behavior = _dict(spec.get("behavior"))
    for key in ("scaleUp", "scaleDown"):
        if isinstance(behavior.get(key), dict):
            causes += _rules(behavior[key], f"spec.behavior.{key}")
    return causes


def horizontal_pod_autoscaler_status(new: Obj, old: Obj) -> list[Cause]:
    """kube's ValidateHorizontalPodAutoscalerStatusUpdate: the replica counts the autoscaler reports."""
    status = _dict(new.get("status"))
    return (nonnegative(status.get("currentReplicas"), "status.currentReplicas")
            + nonnegative(status.get("desiredReplicas"), "status.desiredReplicas"))
