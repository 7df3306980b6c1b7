"""One resource served in two versions: HorizontalPodAutoscalers as autoscaling/v1 and v2, stored as v2."""
from __future__ import annotations

import asyncio

import orjson

from apiserver.api.conversion.hpa import BEHAVIOR, CONDITIONS, CURRENT_METRICS, METRICS
from apiserver.api.protobuf import decode_body, encode_object
from tests.integration.conftest import make_namespace
from tests.integration.etcd_tools import raw_value
from tests.integration.test_protobuf_responses import read_frames

V1 = "/apis/autoscaling/v1"
V2 = "/apis/autoscaling/v2"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
PROTOBUF = "application/vnd.kubernetes.protobuf"
MEMORY = {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue",
                                                                        "averageValue": "500Mi"}}}
BEHAVIOR_SPEC = {"scaleUp": {"stabilizationWindowSeconds": 30, "selectPolicy": "Min",
                             "policies": [{"type": "Pods", "value": 2, "periodSeconds": 60}]},
                 "scaleDown": {"stabilizationWindowSeconds": 120, "selectPolicy": "Max",
                               "policies": [{"type": "Percent", "value": 10, "periodSeconds": 60}]}}


def hpa_v1(name: str, cpu: int | None = 60, **spec) -> dict:
    body = {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 5,
            **spec}
    if cpu is not None:
        body["targetCPUUtilizationPercentage"] = cpu
    return {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
            "spec": body}


def hpa_v2(name: str, metrics: list, **spec) -> dict:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                     "minReplicas": 2, "maxReplicas": 7, "metrics": metrics, **spec}}


def cpu(utilization: int) -> dict:
    return {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                                       "averageUtilization": utilization}}}


async def namespace(api, new_ns) -> str:
    ns = new_ns()
    await make_namespace(api, ns)
    return ns


async def test_created_as_v1_reads_in_both_versions_and_is_stored_as_v2(api, new_ns, apiserver, etcd_cluster, pki):
    ns = await namespace(api, new_ns)
    status, created = await api.post(f"{V1}/namespaces/{ns}/horizontalpodautoscalers", hpa_v1("a"))
    assert status == 201, created
    assert created["apiVersion"] == "autoscaling/v1"
    assert created["spec"] == {"scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"},
                               "minReplicas": 1, "maxReplicas": 5, "targetCPUUtilizationPercentage": 60}
    assert "annotations" not in created["metadata"]
    _, v2 = await api.get(f"{V2}/namespaces/{ns}/horizontalpodautoscalers/a")
    assert v2["apiVersion"] == "autoscaling/v2" and v2["spec"]["metrics"] == [cpu(60)]
    assert v2["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    _, v1 = await api.get(f"{V1}/namespaces/{ns}/horizontalpodautoscalers/a")
    assert v1 == created
    raw = raw_value(etcd_cluster, pki, f"{apiserver.prefix}/horizontalpodautoscalers/{ns}/a")
    assert raw is not None and b"autoscaling/v2" in raw and b"autoscaling/v1" not in raw
    assert b"targetCPUUtilizationPercentage" not in raw

    # without a target, v1 means 80% CPU
    status, bare = await api.post(f"{V1}/namespaces/{ns}/horizontalpodautoscalers", hpa_v1("b", cpu=None))
    assert status == 201 and bare["spec"]["targetCPUUtilizationPercentage"] == 80
    _, listed = await api.get(f"{V1}/namespaces/{ns}/horizontalpodautoscalers")
    assert listed["kind"] == "HorizontalPodAutoscalerList" and listed["apiVersion"] == "autoscaling/v1"
    assert [i["apiVersion"] for i in listed["items"]] == ["autoscaling/v1"] * 2
    _, listed = await api.get(f"{V2}/namespaces/{ns}/horizontalpodautoscalers")
    assert [i["spec"]["metrics"] for i in listed["items"]] == [[cpu(60)], [cpu(80)]]


async def test_v2_only_fields_travel_through_v1_annotations_losslessly(api, new_ns):
    ns = await namespace(api, new_ns)
    status, created = await api.post(f"{V2}/namespaces/{ns}/horizontalpodautoscalers",
                                     hpa_v2("m", [MEMORY, cpu(70)], behavior=BEHAVIOR_SPEC))
    assert status == 201, created
    _, v1 = await api.get(f"{V1}/namespaces/{ns}/horizontalpodautoscalers/m")
    assert v1["spec"]["targetCPUUtilizationPercentage"] == 70
    annotations = v1["metadata"]["annotations"]
    assert orjson.loads(annotations[METRICS]) == [{"type": "Resource", "resource": {
        "name": "memory", "targetAverageValue": "500Mi"}}]
    behavior = orjson.loads(annotations[BEHAVIOR])
    assert behavior["ScaleUp"] == {"StabilizationWindowSeconds": 30, "SelectPolicy": "Min",
                                   "Policies": [{"Type": "Pods", "Value": 2, "PeriodSeconds": 60}]}

    # a v1 client that writes back what it read loses nothing
    status, replaced = await api.put(f"{V1}/namespaces/{ns}/horizontalpodautoscalers/m", v1)
    assert status == 200, replaced
    _, v2 = await api.get(f"{V2}/namespaces/{ns}/horizontalpodautoscalers/m")
    assert v2["spec"] == created["spec"]
    assert "annotations" not in v2["metadata"]

    # as in kube, a v1 update that drops the annotation drops what it carried, and v1's own target is kept
    del v1["metadata"]["annotations"]
    v1["metadata"].pop("resourceVersion")
    v1["spec"]["targetCPUUtilizationPercentage"] = 40
    status, replaced = await api.put(f"{V1}/namespaces/{ns}/horizontalpodautoscalers/m", v1)
    assert status == 200, replaced
    _, v2 = await api.get(f"{V2}/namespaces/{ns}/horizontalpodautoscalers/m")
    assert v2["spec"]["metrics"] == [cpu(40)]
    assert "behavior" not in v2["spec"]


async def test_status_travels_in_v1_fields_and_annotations(api, new_ns):
    ns = await namespace(api, new_ns)
    await api.post(f"{V2}/namespaces/{ns}/horizontalpodautoscalers", hpa_v2("s", [cpu(50)]))
    _, current = await api.get(f"{V2}/namespaces/{ns}/horizontalpodautoscalers/s")
    current["status"] = {"currentReplicas": 3, "desiredReplicas": 4, "currentMetrics": [
        {"type": "Resource", "resource": {"name": "cpu", "current": {"averageValue": "120m",
                                                                     "averageUtilization": 55}}}],
        "conditions": [{"type": "AbleToScale", "status": "True", "lastTransitionTime": "2025-01-01T00:00:00Z",
                        "reason": "ReadyForNewScale", "message": "recommended size matches current size"}]}
    status, _ = await api.put(f"{V2}/namespaces/{ns}/horizontalpodautoscalers/s/status", current)
    assert status == 200
    _, v1 = await api.get(f"{V1}/namespaces/{ns}/horizontalpodautoscalers/s")
    assert v1["status"] == {"currentReplicas": 3, "desiredReplicas": 4, "currentCPUUtilizationPercentage": 55}
    assert orjson.loads(v1["metadata"]["annotations"][CURRENT_METRICS]) == [{"type": "Resource", "resource": {
        "name": "cpu", "currentAverageUtilization": 55, "currentAverageValue": "120m"}}]
    assert orjson.loads(v1["metadata"]["annotations"][CONDITIONS])[0]["reason"] == "ReadyForNewScale"

    # a status write through v1 reaches the hub's currentMetrics
    v1["status"]["currentCPUUtilizationPercentage"] = 90
    del v1["metadata"]["annotations"]
    status, written = await api.put(f"{V1}/namespaces/{ns}/horizontalpodautoscalers/s/status", v1)
    assert status == 200, written
    _, v2 = await api.get(f"{V2}/namespaces/{ns}/horizontalpodautoscalers/s")
    assert v2["status"]["currentMetrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "current": {"averageUtilization": 90}}}]
    assert "conditions" not in v2["status"]


async def test_patches_apply_in_the_request_version(api, new_ns):
    ns = await namespace(api, new_ns)
    await api.post(f"{V2}/namespaces/{ns}/horizontalpodautoscalers", hpa_v2("p", [MEMORY, cpu(50)]))
    path = f"{V1}/namespaces/{ns}/horizontalpodautoscalers/p"
    status, patched = await api.request("PATCH", path, data=b'{"spec":{"targetCPUUtilizationPercentage":65}}',
                                        headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200, patched
    assert patched["apiVersion"] == "autoscaling/v1" and patched["spec"]["targetCPUUtilizationPercentage"] == 65
    _, v2 = await api.get(f"{V2}/namespaces/{ns}/horizontalpodautoscalers/p")
    assert v2["spec"]["metrics"] == [MEMORY, cpu(65)]
    status, patched = await api.request(
        "PATCH", path, data=b'[{"op":"replace","path":"/spec/maxReplicas","value":9}]',
        headers={"Content-Type": "application/json-patch+json"})
    assert status == 200 and patched["spec"]["maxReplicas"] == 9
    # v2's field does not exist in v1: a v1 patch cannot reach it
    status, patched = await api.request("PATCH", path, data=b'{"spec":{"metrics":[]}}',
                                        headers={"Content-Type": "application/merge-patch+json"},
                                        params={"fieldValidation": "Strict"})
    assert status == 400 and 'unknown field "spec.metrics"' in patched["message"]

    # server-side apply in v1
    config = hpa_v1("p", cpu=75)
    config["metadata"]["namespace"] = ns
    status, applied = await api.request("PATCH", path, data=orjson.dumps(config), params={
        "fieldManager": "tester", "force": "true"}, headers={"Content-Type": "application/apply-patch+yaml"})
    assert status == 200, applied
    assert applied["spec"]["targetCPUUtilizationPercentage"] == 75 and applied["spec"]["maxReplicas"] == 5
    tester = [m for m in applied["metadata"]["managedFields"] if m["manager"] == "tester"]
    assert tester[0]["apiVersion"] == "autoscaling/v1"
    _, v2 = await api.get(f"{V2}/namespaces/{ns}/horizontalpodautoscalers/p")
    assert v2["spec"]["metrics"] == [MEMORY, cpu(75)]


async def test_v1_validation_reports_hub_fields(api, new_ns):
    ns = await namespace(api, new_ns)
    status, body = await api.post(f"{V1}/namespaces/{ns}/horizontalpodautoscalers",
                                  hpa_v1("bad", cpu=0, minReplicas=3, maxReplicas=2))
    assert status == 422 and body["reason"] == "Invalid"
    fields = {c["field"]: c["message"] for c in body["details"]["causes"]}
    assert fields["spec.maxReplicas"] == "Invalid value: 2: must be greater than or equal to `minReplicas`"
    assert fields["spec.metrics[0].resource.target.averageUtilization"] == "Invalid value: 0: must be greater than 0"
    body = hpa_v1("bad")
    body["metadata"]["annotations"] = {METRICS: "not json"}
    status, answer = await api.post(f"{V1}/namespaces/{ns}/horizontalpodautoscalers", body)
    assert status == 400 and answer["kind"] == "Status" and METRICS in answer["message"]
    body = hpa_v1("bad")
    body["apiVersion"] = "autoscaling/v2"
    status, answer = await api.post(f"{V1}/namespaces/{ns}/horizontalpodautoscalers", body)
    assert status == 400 and "does not match the expected API version (autoscaling/v1)" in answer["message"]


async def test_watch_in_v1_sees_converted_events(api, new_ns):
    ns = await namespace(api, new_ns)

    async def write() -> None:
        await api.post(f"{V2}/namespaces/{ns}/horizontalpodautoscalers", hpa_v2("w", [MEMORY, cpu(45)]))
        await api.request("PATCH", f"{V2}/namespaces/{ns}/horizontalpodautoscalers/w",
                          data=b'{"spec":{"maxReplicas":8}}', headers={"Content-Type": "application/merge-patch+json"})
        await api.delete(f"{V2}/namespaces/{ns}/horizontalpodautoscalers/w")

    # the watch starts at the list's revision, so the writes must come after the list, and may come before the
    # watch is open
    _, listed = await api.get(f"{V1}/namespaces/{ns}/horizontalpodautoscalers")
    writer = asyncio.create_task(write())
    events = await api.watch(f"{V1}/namespaces/{ns}/horizontalpodautoscalers",
                             {"resourceVersion": listed["metadata"]["resourceVersion"]},
                             until=lambda ev: len(ev) == 3)
    await writer
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]
    assert {e["object"]["apiVersion"] for e in events} == {"autoscaling/v1"}
    assert [e["object"]["spec"]["maxReplicas"] for e in events] == [7, 8, 8]
    assert all(e["object"]["spec"]["targetCPUUtilizationPercentage"] == 45 for e in events)
    assert METRICS in events[0]["object"]["metadata"]["annotations"]


async def test_tables_and_deletes_in_v1(api, new_ns):
    ns = await namespace(api, new_ns)
    await api.post(f"{V2}/namespaces/{ns}/horizontalpodautoscalers", hpa_v2("t", [MEMORY, cpu(45)]))
    status, table = await api.get(f"{V1}/namespaces/{ns}/horizontalpodautoscalers",
                                  params={"includeObject": "Object"}, headers={"Accept": TABLE})
    assert status == 200
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Reference", "Targets", "MinPods",
                                                               "MaxPods", "Replicas", "Age"]
    assert table["rows"][0]["cells"][:3] == ["t", "Deployment/web", "memory: <unknown>/500Mi, cpu: <unknown>/45%"]
    assert table["rows"][0]["object"]["apiVersion"] == "autoscaling/v1"
    status, gone = await api.delete(f"{V1}/namespaces/{ns}/horizontalpodautoscalers/t")
    assert status == 200 and gone["status"] == "Success"
    held = hpa_v1("f")
    held["metadata"]["finalizers"] = ["example.com/hold"]
    await api.post(f"{V1}/namespaces/{ns}/horizontalpodautoscalers", held)
    status, marked = await api.delete(f"{V1}/namespaces/{ns}/horizontalpodautoscalers/f")
    assert status == 200 and marked["apiVersion"] == "autoscaling/v1" and marked["metadata"]["deletionTimestamp"]
    assert marked["spec"]["targetCPUUtilizationPercentage"] == 60
    status, released = await api.request("PATCH", f"{V1}/namespaces/{ns}/horizontalpodautoscalers/f",
                                         data=b'{"metadata":{"finalizers":null}}',
                                         headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200 and released["apiVersion"] == "autoscaling/v1", released
    await api.post(f"{V1}/namespaces/{ns}/horizontalpodautoscalers", hpa_v1("u"))
    status, deleted = await api.delete(f"{V1}/namespaces/{ns}/horizontalpodautoscalers")
    assert status == 200, deleted
    assert deleted["apiVersion"] == "autoscaling/v1" and deleted["items"][0]["spec"]["maxReplicas"] == 5


async def test_discovery_and_openapi_list_both_versions(api):
    _, group = await api.get("/apis/autoscaling")
    assert [v["version"] for v in group["versions"]] == ["v2", "v1"]
    assert group["preferredVersion"]["version"] == "v2"
    _, resources = await api.get(V1)
    hpa = next(r for r in resources["resources"] if r["name"] == "horizontalpodautoscalers")
    assert hpa["kind"] == "HorizontalPodAutoscaler" and hpa["shortNames"] == ["hpa"]
    assert "horizontalpodautoscalers/status" in [r["name"] for r in resources["resources"]]
    _, index = await api.get("/openapi/v3")
    assert {"apis/autoscaling/v1", "apis/autoscaling/v2"} <= set(index["paths"])
    _, doc = await api.get("/openapi/v3/apis/autoscaling/v1")
    schema = doc["components"]["schemas"]["io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler"]
    assert schema["x-kubernetes-group-version-kind"] == [{"group": "autoscaling", "kind": "HorizontalPodAutoscaler",
                                                          "version": "v1"}]
    assert "targetCPUUtilizationPercentage" in doc["components"]["schemas"][
        "io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec"]["properties"]


async def test_protobuf_in_v1(api, new_ns):
    """Bodies, answers and watch frames in v1's protobuf messages, while etcd holds v2."""
    ns = await namespace(api, new_ns)
    path = f"{V1}/namespaces/{ns}/horizontalpodautoscalers"
    body = hpa_v1("pb", cpu=33)
    body["metadata"]["namespace"] = ns
    async with api.session.post(api.url + path, data=encode_object(body),
                                headers={"Content-Type": PROTOBUF, "Accept": PROTOBUF}) as resp:
        assert resp.status == 201 and resp.headers["Content-Type"] == PROTOBUF
        created = decode_body(await resp.read())
    assert created["apiVersion"] == "autoscaling/v1" and created["spec"]["targetCPUUtilizationPercentage"] == 33
    params = {"watch": "true", "resourceVersion": "0", "allowWatchBookmarks": "false", "timeoutSeconds": "10"}
    async with api.session.get(api.url + path, params=params,
                               headers={"Accept": f"{PROTOBUF};stream=watch"}) as resp:
        assert resp.headers["Content-Type"] == f"{PROTOBUF};stream=watch"
        [(kind, obj)] = await asyncio.wait_for(read_frames(resp, 1), 10)
    assert kind == "ADDED" and obj["apiVersion"] == "autoscaling/v1"
    assert obj["spec"]["targetCPUUtilizationPercentage"] == 33
