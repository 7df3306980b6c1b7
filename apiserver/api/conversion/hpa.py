"""autoscaling/v1 HorizontalPodAutoscaler ↔ the autoscaling hub, as kube 1.32 converts them.

The hub has autoscaling/v2's shape (kube's internal autoscaling types follow v2). v1 carries only a CPU
utilization target and its current value; everything else v2 holds — the other metrics, their current
values, the conditions and the scaling behavior — rides in `autoscaling.alpha.kubernetes.io/*` annotations,
so that a v1 client that reads an object and writes it back loses nothing. The metric annotations hold v1's
own (v2beta1-shaped) MetricSpec/MetricStatus JSON; the behavior annotation holds kube's internal Go struct
marshalled without JSON tags (Go field names, read back case-insensitively as Go's decoder does).
"""
from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import orjson

from apiserver.api.conversion.hub import Conversion
from apiserver.api.meta import errors
from apiserver.api.meta.types import Obj

METRICS = "autoscaling.alpha.kubernetes.io/metrics"
CURRENT_METRICS = "autoscaling.alpha.kubernetes.io/current-metrics"
CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions"
BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior"
ROUND_TRIP = (METRICS, BEHAVIOR, CURRENT_METRICS, CONDITIONS)
# what v1 has always meant by an HPA without a target (kube's autoscaling.DefaultCPUUtilization)
DEFAULT_CPU_UTILIZATION = 80
# Go field names of kube's internal HorizontalPodAutoscalerBehavior, in struct order: (Go name, JSON name,
# the nested struct's fields)
Fields = tuple[tuple[str, str, Any], ...]
_POLICY_FIELDS: Fields = (("Type", "type", ()), ("Value", "value", ()), ("PeriodSeconds", "periodSeconds", ()))
_RULES_FIELDS: Fields = (("StabilizationWindowSeconds", "stabilizationWindowSeconds", ()),
                         ("SelectPolicy", "selectPolicy", ()), ("Policies", "policies", _POLICY_FIELDS))
_BEHAVIOR_FIELDS: Fields = (("ScaleUp", "scaleUp", _RULES_FIELDS), ("ScaleDown", "scaleDown", _RULES_FIELDS))


def _put(out: Obj, key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _ref(ref: Any) -> Obj:
    """CrossVersionObjectReference (the same fields in both versions; apiVersion may be left out)."""
    ref = ref if isinstance(ref, dict) else {}
    out = {"kind": ref.get("kind", ""), "name": ref.get("name", "")}
    _put(out, "apiVersion", ref.get("apiVersion"))
    return out


def _part(obj: Any, key: str) -> Obj:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, dict) else {}


def _identifier(name: Any, selector: Any) -> Obj:
    out = {"name": name or ""}
    _put(out, "selector", selector)
    return out


# --- metrics and metric statuses --------------------------------------------------------------------------

# Per metric source: (hub field of the target or current value, v1's field, whether Go declares v1's field a
# plain Quantity, which is "0" when unset and always set on the way back)
Amounts = dict[str, tuple[tuple[str, str, bool], ...]]
_RESOURCE_TARGETS = (("averageUtilization", "targetAverageUtilization", False),
                     ("averageValue", "targetAverageValue", False))
_RESOURCE_CURRENT = (("averageUtilization", "currentAverageUtilization", False),
                     ("averageValue", "currentAverageValue", True))
TARGETS: Amounts = {"object": (("value", "targetValue", True), ("averageValue", "averageValue", False)),
                    "pods": (("averageValue", "targetAverageValue", True),),
                    "resource": _RESOURCE_TARGETS, "containerResource": _RESOURCE_TARGETS,
                    "external": (("value", "targetValue", False), ("averageValue", "targetAverageValue", False))}
CURRENT: Amounts = {"object": (("value", "currentValue", True), ("averageValue", "averageValue", False)),
                    "pods": (("averageValue", "currentAverageValue", True),),
                    "resource": _RESOURCE_CURRENT, "containerResource": _RESOURCE_CURRENT,
                    "external": (("value", "currentValue", True), ("averageValue", "currentAverageValue", False))}
_NAMED_BY_RESOURCE = ("resource", "containerResource")


def _amount(value: Any, plain: bool) -> Any:
    return (value or "0") if plain else value


def _sources(metric: Obj, amounts: Amounts) -> Iterator[tuple[str, Obj, tuple[tuple[str, str, bool], ...]]]:
    """The metric's source structs that are set, with the amount fields of each."""
    for source, fields in amounts.items():
        src = metric.get(source)
        if isinstance(src, dict):
            yield source, src, fields


def _metric_to_v1(metric: Obj, side: str, amounts: Amounts) -> Obj:
    """One hub MetricSpec (side "target") or MetricStatus (side "current") in v1's (v2beta1) shape."""
    out: Obj = {"type": metric.get("type", "")}
    for source, src, fields in _sources(metric, amounts):
        part, ident = _part(src, side), _part(src, "metric")
        v1: Obj = {"target": _ref(src.get("describedObject"))} if source == "object" else {}
        if source in _NAMED_BY_RESOURCE:
            v1["name"] = src.get("name", "")
        else:
            v1["metricName"] = ident.get("name", "")
        _put(v1, "metricSelector" if source == "external" else "selector", ident.get("selector"))
        for hub_key, v1_key, plain in fields:
            _put(v1, v1_key, _amount(part.get(hub_key), plain))
        if source == "containerResource":
            v1["container"] = src.get("container", "")
        out[source] = v1
    return out


def _target_type(source: str, src: Obj) -> str:
    if source in _NAMED_BY_RESOURCE:
        return "AverageValue" if src.get("targetAverageUtilization") is None else "Utilization"
    if source == "object":
        return "Value" if src.get("averageValue") is None else "AverageValue"
    if source == "external":
        return "AverageValue" if src.get("targetValue") is None else "Value"
    return "AverageValue"


def _metric_to_hub(metric: Obj, side: str, amounts: Amounts) -> Obj:
    """One v1 MetricSpec or MetricStatus (from an annotation) in the hub's shape."""
    out: Obj = {"type": metric.get("type", "")}
    for source, src, fields in _sources(metric, amounts):
        values: Obj = {"type": _target_type(source, src)} if side == "target" else {}
        for hub_key, v1_key, plain in fields:
            _put(values, hub_key, _amount(src.get(v1_key), plain))
        if source in _NAMED_BY_RESOURCE:
            hub: Obj = {"name": src.get("name", ""), side: values}
            if source == "containerResource":
                hub["container"] = src.get("container", "")
        else:
            selector = src.get("metricSelector" if source == "external" else "selector")
            hub = {"metric": _identifier(src.get("metricName"), selector), side: values}
            if source == "object":
                hub["describedObject"] = _ref(src.get("target"))
        out[source] = hub
    return out


# --- behavior (kube's internal struct, Go field names) ----------------------------------------------------

def _to_go(value: Any, fields: Fields) -> Any:
    """A hub (JSON-named) struct, or list of them, as Go marshals the untagged internal one: every field, nil
    as null."""
    if isinstance(value, list):
        return [_to_go(v, fields) for v in value]
    if not isinstance(value, dict):
        return None
    return {go: _to_go(value.get(name), inner) if inner else value.get(name) for go, name, inner in fields}


def _from_go(value: Any, fields: Fields) -> Any:
    """Go's decoding of such a struct: keys matched without regard to case, nulls leave the field unset."""
    if isinstance(value, list):
        return [_from_go(v, fields) for v in value]
    if not isinstance(value, dict):
        return None
    by_key = {go.lower(): (name, inner) for go, name, inner in fields}
    out = {}
    for key, item in value.items():
        name, inner = by_key.get(key.lower(), ("", ()))
        item = _from_go(item, inner) if inner else item
        if name and item is not None:
            out[name] = item
    return out


def behavior_to_annotation(behavior: Obj) -> str:
    return _dumps(_to_go(behavior, _BEHAVIOR_FIELDS))


def behavior_from_annotation(text: str) -> Obj:
    return _from_go(_loads(BEHAVIOR, text, dict), _BEHAVIOR_FIELDS)


# --- whole objects ----------------------------------------------------------------------------------------

def _loads(name: str, text: Any, shape: type) -> Any:
    """An annotation's JSON; a value that does not decode fails the request, as kube's conversion does."""
    try:
        value = orjson.loads(text) if isinstance(text, str) else None
    except orjson.JSONDecodeError as exc:
        raise errors.bad_request(f"the annotation {name} could not be decoded: {exc}") from None
    if value is None:
        return shape()
    if not isinstance(value, shape) or (isinstance(value, list) and not all(isinstance(v, dict) for v in value)):
        raise errors.bad_request(f"the annotation {name} could not be decoded: it must be a JSON "
                                 f"{'array of objects' if shape is list else 'object'}")
    return value


def _is_cpu(metric: Any) -> bool:
    return (isinstance(metric, dict) and metric.get("type") == "Resource"
            and _part(metric, "resource").get("name") == "cpu")


def _without_round_trip(meta: Obj) -> Obj:
    """kube's DropRoundTripHorizontalPodAutoscalerAnnotations: the metadata without the four annotations."""
    annotations = meta.get("annotations")
    if not isinstance(annotations, dict) or not any(k in annotations for k in ROUND_TRIP):
        return meta
    kept = {k: v for k, v in annotations.items() if k not in ROUND_TRIP}
    out = {k: v for k, v in meta.items() if k != "annotations"}
    if kept:
        out["annotations"] = kept
    return out


def _cpu_utilizations(metrics: list[Obj], side: str) -> list[Any]:
    """The averageUtilization (None where unset) of each CPU resource metric, in order."""
    return [_part(_part(m, "resource"), side).get("averageUtilization") for m in metrics if _is_cpu(m)]


# Annotation texts by the JSON of the hub part they render: objects read in v1 again and again (lists, watches)
# mostly carry parts already seen, and rendering them is most of a conversion's cost.
@functools.lru_cache(maxsize=1024)
def _other_metrics_text(metrics: bytes) -> str:
    other = [_metric_to_v1(m, "target", TARGETS) for m in orjson.loads(metrics)
             if not (_is_cpu(m) and _part(_part(m, "resource"), "target").get("averageUtilization") is not None)]
    return _dumps(other) if other else ""


@functools.lru_cache(maxsize=1024)
def _current_metrics_text(current: bytes) -> str:
    return _dumps([_metric_to_v1(m, "current", CURRENT) for m in orjson.loads(current)])


@functools.lru_cache(maxsize=1024)
def _behavior_text(behavior: bytes) -> str:
    return behavior_to_annotation(orjson.loads(behavior))


def to_v1(hub: Obj) -> Obj:
    spec, status = _part(hub, "spec"), _part(hub, "status")
    meta = _without_round_trip(hub.get("metadata") or {})
    v1_spec: Obj = {"scaleTargetRef": _ref(spec.get("scaleTargetRef"))}
    _put(v1_spec, "minReplicas", spec.get("minReplicas"))
    v1_spec["maxReplicas"] = spec.get("maxReplicas", 0)
    metrics = [m for m in spec.get("metrics") or () if isinstance(m, dict)]
    targets = _cpu_utilizations(metrics, "target")
    if targets:
        # the first CPU metric decides, even when its target is not a utilization
        _put(v1_spec, "targetCPUUtilizationPercentage", targets[0])
    v1_status: Obj = {}
    for key in ("observedGeneration", "lastScaleTime"):
        _put(v1_status, key, status.get(key))
    v1_status["currentReplicas"] = status.get("currentReplicas", 0)
    v1_status["desiredReplicas"] = status.get("desiredReplicas", 0)
    current = [m for m in status.get("currentMetrics") or () if isinstance(m, dict)]
    for utilization in _cpu_utilizations(current, "current"):
        _put(v1_status, "currentCPUUtilizationPercentage", utilization)
    added: dict[str, str] = {}
    other = _other_metrics_text(orjson.dumps(metrics)) if metrics else ""
    if other:
        added[METRICS] = other
    if current:
        added[CURRENT_METRICS] = _current_metrics_text(orjson.dumps(current))
    if status.get("conditions"):
        added[CONDITIONS] = _dumps(status["conditions"])
    if isinstance(spec.get("behavior"), dict):
        added[BEHAVIOR] = _behavior_text(orjson.dumps(spec["behavior"]))
    if added:
        meta = {**meta, "annotations": {**(meta.get("annotations") or {}), **added}}
    return {"kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v1", "metadata": meta,
            "spec": v1_spec, "status": v1_status}


def from_v1(obj: Obj) -> Obj:
    spec, status = _part(obj, "spec"), _part(obj, "status")
    meta = _part(obj, "metadata")
    annotations = _part(meta, "annotations")
    hub_spec: Obj = {"scaleTargetRef": _ref(spec.get("scaleTargetRef"))}
    _put(hub_spec, "minReplicas", spec.get("minReplicas"))
    hub_spec["maxReplicas"] = spec.get("maxReplicas", 0)
    metrics: list[Obj] = []
    if spec.get("targetCPUUtilizationPercentage") is not None:
        metrics = [_cpu_target(spec["targetCPUUtilizationPercentage"])]
    if METRICS in annotations:
        # the CPU target of v1's own field goes after the others, where kube puts it
        others = _loads(METRICS, annotations[METRICS], list)
        metrics = [_metric_to_hub(m, "target", TARGETS) for m in others] + metrics
    hub_spec["metrics"] = metrics or [_cpu_target(DEFAULT_CPU_UTILIZATION)]
    if BEHAVIOR in annotations:
        hub_spec["behavior"] = behavior_from_annotation(annotations[BEHAVIOR])
    hub_status: Obj = {}
    for key in ("observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas"):
        _put(hub_status, key, status.get(key))
    if status.get("currentCPUUtilizationPercentage") is not None:
        hub_status["currentMetrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "current": {"averageUtilization": status["currentCPUUtilizationPercentage"]}}}]
    if CURRENT_METRICS in annotations:
        # the annotation says more than currentCPUUtilizationPercentage, so it wins
        hub_status["currentMetrics"] = [_metric_to_hub(m, "current", CURRENT)
                                        for m in _loads(CURRENT_METRICS, annotations[CURRENT_METRICS], list)]
    if CONDITIONS in annotations:
        hub_status["conditions"] = _loads(CONDITIONS, annotations[CONDITIONS], list)
    out: Obj = {"kind": obj.get("kind", "HorizontalPodAutoscaler"), "apiVersion": obj.get("apiVersion", ""),
                "metadata": _without_round_trip(meta), "spec": hub_spec}
    if hub_status:
        out["status"] = hub_status
    return out


def _cpu_target(utilization: Any) -> Obj:
    return {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                                        "averageUtilization": utilization}}}


V1 = Conversion(to_hub=from_v1, from_hub=to_v1)
