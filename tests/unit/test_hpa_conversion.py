"""autoscaling/v1 ↔ hub conversion of HorizontalPodAutoscalers, and the generic converter between versions."""
from __future__ import annotations

import orjson
import pytest

from apiserver.api.conversion.hpa import (
    BEHAVIOR,
    CONDITIONS,
    CURRENT_METRICS,
    METRICS,
    from_v1,
    to_v1,
)
from apiserver.api.conversion.hub import converter
from apiserver.api.meta import errors
from apiserver.api.validation.hpa import horizontal_pod_autoscaler as validate
from apiserver.registry.catalogue import Catalogue
from apiserver.registry.versioned import ReadMemo

REF = {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"}
SELECTOR = {"matchLabels": {"app": "web"}}
METRIC_SPECS = [
    {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "1Gi"}}},
    {"type": "ContainerResource", "containerResource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 40}, "container": "app"}},
    {"type": "Pods", "pods": {"metric": {"name": "qps", "selector": SELECTOR},
                              "target": {"type": "AverageValue", "averageValue": "10"}}},
    {"type": "Object", "object": {"metric": {"name": "hits"}, "target": {"type": "Value", "value": "2k"},
                                  "describedObject": {"kind": "Ingress", "name": "main",
                                                      "apiVersion": "networking.k8s.io/v1"}}},
    {"type": "External", "external": {"metric": {"name": "queue", "selector": SELECTOR},
                                      "target": {"type": "AverageValue", "averageValue": "30"}}},
    {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}},
]
METRIC_STATUSES = [
    {"type": "Resource", "resource": {"name": "cpu", "current": {"averageValue": "250m",
                                                                 "averageUtilization": 62}}},
    {"type": "Pods", "pods": {"metric": {"name": "qps"}, "current": {"averageValue": "9"}}},
    {"type": "External", "external": {"metric": {"name": "queue"}, "current": {"value": "12",
                                                                               "averageValue": "4"}}},
    {"type": "Object", "object": {"metric": {"name": "hits"}, "current": {"value": "1500"},
                                  "describedObject": {"kind": "Ingress", "name": "main"}}},
]
BEHAVIOR_SPEC = {"scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
                             "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15}]},
                 "scaleDown": {"selectPolicy": "Disabled",
                               "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}}


def hub(**spec) -> dict:
    return {"kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v2",
            "metadata": {"name": "h", "namespace": "ns", "annotations": {"team": "a"}},
            "spec": {"scaleTargetRef": REF, "minReplicas": 2, "maxReplicas": 9, **spec}}


def test_every_metric_kind_round_trips_through_v1():
    original = hub(metrics=METRIC_SPECS, behavior=BEHAVIOR_SPEC)
    original["status"] = {"observedGeneration": 3, "lastScaleTime": "2025-01-01T00:00:00Z", "currentReplicas": 3,
                          "desiredReplicas": 5, "currentMetrics": METRIC_STATUSES,
                          "conditions": [{"type": "ScalingActive", "status": "False", "reason": "X",
                                          "lastTransitionTime": "2025-01-01T00:00:00Z", "message": "m"}]}
    v1 = to_v1(original)
    assert v1["spec"] == {"scaleTargetRef": REF, "minReplicas": 2, "maxReplicas": 9,
                          "targetCPUUtilizationPercentage": 70}
    assert v1["status"] == {"observedGeneration": 3, "lastScaleTime": "2025-01-01T00:00:00Z", "currentReplicas": 3,
                            "desiredReplicas": 5, "currentCPUUtilizationPercentage": 62}
    annotations = v1["metadata"]["annotations"]
    assert set(annotations) == {"team", METRICS, CURRENT_METRICS, CONDITIONS, BEHAVIOR}
    # the CPU utilization target is v1's own field; the other five travel in the annotation
    others = orjson.loads(annotations[METRICS])
    assert [m["type"] for m in others] == ["Resource", "ContainerResource", "Pods", "Object", "External"]
    assert others[2]["pods"] == {"metricName": "qps", "selector": SELECTOR, "targetAverageValue": "10"}
    assert others[3]["object"] == {"target": {"kind": "Ingress", "name": "main", "apiVersion": "networking.k8s.io/v1"},
                                   "metricName": "hits", "targetValue": "2k"}
    assert others[4]["external"] == {"metricName": "queue", "metricSelector": SELECTOR, "targetAverageValue": "30"}
    current = orjson.loads(annotations[CURRENT_METRICS])
    assert current[0]["resource"] == {"name": "cpu", "currentAverageUtilization": 62, "currentAverageValue": "250m"}
    assert current[3]["object"]["currentValue"] == "1500"
    assert orjson.loads(annotations[BEHAVIOR])["ScaleDown"] == {
        "StabilizationWindowSeconds": None, "SelectPolicy": "Disabled",
        "Policies": [{"Type": "Percent", "Value": 100, "PeriodSeconds": 15}]}

    back = from_v1(v1)
    # the CPU target comes back after the others, where kube puts it
    assert back["spec"]["metrics"] == METRIC_SPECS
    assert back["spec"]["behavior"] == BEHAVIOR_SPEC
    assert back["status"] == original["status"]
    assert back["metadata"]["annotations"] == {"team": "a"}


def test_v1_without_target_means_80_percent_cpu_and_hub_keeps_input_unchanged():
    v1 = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"},
          "spec": {"scaleTargetRef": REF, "maxReplicas": 3}}
    snapshot = orjson.dumps(v1)
    out = from_v1(v1)
    assert out["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    assert "status" not in out and orjson.dumps(v1) == snapshot
    stored = hub(metrics=METRIC_SPECS)
    snapshot = orjson.dumps(stored)
    to_v1(stored)
    assert orjson.dumps(stored) == snapshot


def test_cpu_value_target_is_not_v1s_field():
    """Only a CPU *utilization* target maps to targetCPUUtilizationPercentage; a raw value stays annotated."""
    value = {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "AverageValue",
                                                                        "averageValue": "500m"}}}
    v1 = to_v1(hub(metrics=[value]))
    assert "targetCPUUtilizationPercentage" not in v1["spec"]
    assert from_v1(v1)["spec"]["metrics"] == [value]


def test_stale_round_trip_annotations_on_the_hub_are_replaced():
    stored = hub(metrics=[METRIC_SPECS[-1]])
    stored["metadata"]["annotations"][METRICS] = "[]"
    assert METRICS not in to_v1(stored)["metadata"]["annotations"]


def test_behavior_annotation_is_read_without_regard_to_case():
    v1 = to_v1(hub(metrics=[METRIC_SPECS[-1]]))
    v1["metadata"]["annotations"][BEHAVIOR] = '{"scaleup":{"selectpolicy":"Min","POLICIES":null}}'
    assert from_v1(v1)["spec"]["behavior"] == {"scaleUp": {"selectPolicy": "Min"}}


@pytest.mark.parametrize("text", ["not json", '{"a":1}', "[1]"])
def test_bad_annotation_is_400(text):
    v1 = to_v1(hub(metrics=[METRIC_SPECS[-1]]))
    v1["metadata"]["annotations"][METRICS] = text
    with pytest.raises(errors.StatusError) as caught:
        from_v1(v1)
    assert caught.value.code == 400


def test_converter_between_catalogue_rows_stamps_the_target_version():
    catalogue = Catalogue()
    v1 = catalogue.lookup("autoscaling", "v1", "horizontalpodautoscalers")
    v2 = catalogue.lookup("autoscaling", "v2", "horizontalpodautoscalers")
    assert v1 is not None and v2 is not None and v1.storage_version == "v2" and v2.storage_version == ""
    stored = hub(metrics=[METRIC_SPECS[-1]])
    out = converter(v2, v1)(stored)
    assert out["apiVersion"] == "autoscaling/v1" and out["spec"]["targetCPUUtilizationPercentage"] == 70
    # v1's status is a plain struct in Go: always there, with zero replica counts
    assert out["status"] == {"currentReplicas": 0, "desiredReplicas": 0}
    assert converter(v1, v2)(out) == {**stored, "status": {"currentReplicas": 0, "desiredReplicas": 0}}
    assert [r.version for r in catalogue.stored() if r.plural == "horizontalpodautoscalers"] == ["v2"]


def test_validation_of_the_hub():
    bad = hub(minReplicas=0, maxReplicas=0, metrics=[
        {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 0}}},
        {"type": "Pods", "resource": {"name": "cpu"}},
        {"type": "External", "external": {"metric": {"name": "q"}, "target": {"type": "Value", "value": "-1"}}}],
        behavior={"scaleUp": {"policies": [{"type": "Pods", "value": 0, "periodSeconds": 2000}]}})
    bad["spec"]["scaleTargetRef"] = {"kind": "", "name": "a/b"}
    fields = [(c.field, c.message) for c in validate(bad)]
    assert ("spec.minReplicas", "Invalid value: 0: must be greater than or equal to 1") in fields
    assert ("spec.maxReplicas", "Invalid value: 0: must be greater than 0") in fields
    assert ("spec.scaleTargetRef.kind", "Required value") in fields
    assert ("spec.scaleTargetRef.name", "Invalid value: \"a/b\": may not contain '/'") in fields
    assert ("spec.metrics[0].resource.target.averageUtilization",
            "Invalid value: 0: must be greater than 0") in fields
    assert ("spec.metrics[1].pods", "Required value: must populate information for the given metric source") in fields
    assert ("spec.metrics[2].external.target.value", "Invalid value: \"-1\": must be positive") in fields
    assert ("spec.behavior.scaleUp.policies[0].periodSeconds",
            "Invalid value: 2000: must be less than or equal to 1800") in fields
    assert validate(hub(metrics=METRIC_SPECS, behavior=BEHAVIOR_SPEC)) == []


def test_every_resource_has_one_storage_version():
    catalogue = Catalogue()
    stored = [(r.group, r.plural) for r in catalogue.stored()]
    assert len(stored) == len(set(stored))
    for row in catalogue.rows:
        if row.storage_version:
            target = catalogue.lookup(*row.stored_in)
            assert target is not None and not target.storage_version and target.kind == row.kind
            assert row.subresources == target.subresources and row.namespaced == target.namespaced


def test_read_memo_converts_each_source_object_once():
    calls = []

    def convert(obj: dict) -> dict:
        calls.append(obj)
        return {"converted": obj["n"]}

    memo = ReadMemo(convert, size=2)
    first, second, third = {"n": 1}, {"n": 2}, {"n": 3}
    assert memo(first) is memo(first)
    assert memo(dict(first)) == {"converted": 1} and len(calls) == 2  # an equal but other object converts again
    memo(second)
    memo(third)  # evicts the least recently used
    assert len(memo.entries) == 2
