"""Events served as core/v1 and events.k8s.io/v1, stored once as core/v1 Events under /registry/events/."""
from __future__ import annotations

import asyncio

import orjson

from tests.integration.conftest import make_namespace
from tests.integration.encryption_tools import aescbc, key_secret, write_config
from tests.integration.etcd_tools import raw_value
from tests.integration.test_deletion import until_gone

CORE = "/api/v1"
EVENTS = "/apis/events.k8s.io/v1"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
EVENT_TIME = "2026-01-01T00:00:00.000000Z"


def new_style(name: str, ns: str, **fields) -> dict:
    return {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": name},
            "eventTime": EVENT_TIME, "reportingController": "example.com/ctl", "reportingInstance": "ctl-1",
            "action": "Reconcile", "reason": "Synced", "type": "Normal", "note": "all good",
            "regarding": {"apiVersion": "v1", "kind": "Pod", "namespace": ns, "name": "web"}, **fields}


def old_style(name: str, ns: str, **fields) -> dict:
    return {"apiVersion": "v1", "kind": "Event", "metadata": {"name": name},
            "involvedObject": {"apiVersion": "v1", "kind": "Pod", "namespace": ns, "name": "db"},
            "reason": "BackOff", "message": "restarting", "type": "Warning", "count": 3,
            "source": {"component": "kubelet", "host": "n1"}, "firstTimestamp": "2026-01-01T00:00:00Z",
            "lastTimestamp": "2026-01-01T00:05:00Z", **fields}


async def namespace(api, new_ns) -> str:
    ns = new_ns()
    await make_namespace(api, ns)
    return ns


async def test_created_as_events_v1_reads_as_core_and_back_and_is_one_core_event_in_etcd(
        api, new_ns, apiserver, etcd_cluster, pki):
    ns = await namespace(api, new_ns)
    status, created = await api.post(f"{EVENTS}/namespaces/{ns}/events", new_style("a", ns))
    assert status == 201, created
    assert created["apiVersion"] == "events.k8s.io/v1" and created["note"] == "all good"
    assert created["reportingController"] == "example.com/ctl" and created["regarding"]["name"] == "web"

    status, core = await api.get(f"{CORE}/namespaces/{ns}/events/a")
    assert status == 200, core
    assert core["apiVersion"] == "v1" and core["kind"] == "Event"
    assert core["message"] == "all good" and core["involvedObject"]["name"] == "web"
    assert core["reportingComponent"] == "example.com/ctl" and core["reportingInstance"] == "ctl-1"
    assert core["action"] == "Reconcile" and core["eventTime"] == EVENT_TIME
    assert core["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    assert core["metadata"]["uid"] == created["metadata"]["uid"]
    for v1_only in ("note", "regarding", "reportingController", "deprecatedSource"):
        assert v1_only not in core

    # written back through core/v1 unchanged, it reads the same through events.k8s.io/v1
    status, replaced = await api.put(f"{CORE}/namespaces/{ns}/events/a", core)
    assert status == 200, replaced
    _, again = await api.get(f"{EVENTS}/namespaces/{ns}/events/a")
    assert {k: v for k, v in again.items() if k != "metadata"} == {
        k: v for k, v in created.items() if k != "metadata"}

    raw = raw_value(etcd_cluster, pki, f"{apiserver.prefix}/events/{ns}/a")
    assert raw is not None
    stored = orjson.loads(raw)
    assert (stored["apiVersion"], stored["kind"]) == ("v1", "Event")
    assert stored["message"] == "all good" and stored["reportingComponent"] == "example.com/ctl"
    assert raw_value(etcd_cluster, pki, f"{apiserver.prefix}/events.k8s.io/events/{ns}/a") is None


async def test_created_as_core_reads_as_events_v1_with_the_deprecated_fields(api, new_ns):
    ns = await namespace(api, new_ns)
    status, created = await api.post(f"{CORE}/namespaces/{ns}/events", old_style("b", ns))
    assert status == 201, created
    status, v1 = await api.get(f"{EVENTS}/namespaces/{ns}/events/b")
    assert status == 200, v1
    assert v1["apiVersion"] == "events.k8s.io/v1"
    assert v1["note"] == "restarting" and v1["regarding"]["name"] == "db"
    assert v1["deprecatedSource"] == {"component": "kubelet", "host": "n1"} and v1["deprecatedCount"] == 3
    assert v1["deprecatedFirstTimestamp"] == "2026-01-01T00:00:00Z"
    assert v1["deprecatedLastTimestamp"] == "2026-01-01T00:05:00Z"
    for core_only in ("message", "involvedObject", "source", "count", "firstTimestamp", "lastTimestamp"):
        assert core_only not in v1

    # both lists hold the same objects, each in its version
    _, core_list = await api.get(f"{CORE}/namespaces/{ns}/events")
    _, v1_list = await api.get(f"{EVENTS}/namespaces/{ns}/events")
    assert v1_list["kind"] == "EventList" and v1_list["apiVersion"] == "events.k8s.io/v1"
    assert [i["metadata"]["name"] for i in core_list["items"]] == ["b"]
    assert [(i["apiVersion"], i["metadata"]["name"]) for i in v1_list["items"]] == [("events.k8s.io/v1", "b")]

    # a merge patch in events.k8s.io/v1 speaks its own field names; as in kube, only the series may change there
    status, patched = await api.request("PATCH", f"{EVENTS}/namespaces/{ns}/events/b",
                                        data=b'{"note":"restarting","series":{"count":4,'
                                             b'"lastObservedTime":"2026-01-01T00:10:00.000000Z"}}',
                                        headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200, patched
    assert patched["note"] == "restarting" and patched["series"]["count"] == 4
    _, core = await api.get(f"{CORE}/namespaces/{ns}/events/b")
    assert core["message"] == "restarting" and core["series"]["count"] == 4
    status, refused = await api.request("PATCH", f"{EVENTS}/namespaces/{ns}/events/b",
                                        data=b'{"deprecatedCount":5}',
                                        headers={"Content-Type": "application/merge-patch+json"})
    assert status == 422 and refused["details"]["causes"][0]["field"] == "count", refused

    # deleted through one version, gone from both
    status, _ = await api.delete(f"{EVENTS}/namespaces/{ns}/events/b")
    assert status == 200
    status, _ = await api.get(f"{CORE}/namespaces/{ns}/events/b")
    assert status == 404


async def test_a_watch_in_either_version_sees_the_others_writes(api, new_ns):
    ns = await namespace(api, new_ns)
    _, listed = await api.get(f"{CORE}/namespaces/{ns}/events")
    start = listed["metadata"]["resourceVersion"]

    async def watch(path: str) -> list[dict]:
        return await api.watch(path, {"resourceVersion": start}, until=lambda events: len(events) >= 3)

    core_watch = asyncio.create_task(watch(f"{CORE}/namespaces/{ns}/events"))
    v1_watch = asyncio.create_task(watch(f"{EVENTS}/namespaces/{ns}/events"))
    status, _ = await api.post(f"{EVENTS}/namespaces/{ns}/events", new_style("from-v1", ns))
    assert status == 201
    status, _ = await api.post(f"{CORE}/namespaces/{ns}/events", old_style("from-core", ns))
    assert status == 201
    status, _ = await api.delete(f"{CORE}/namespaces/{ns}/events/from-v1")
    assert status == 200
    core_events, v1_events = await asyncio.gather(core_watch, v1_watch)

    expected = [("ADDED", "from-v1"), ("ADDED", "from-core"), ("DELETED", "from-v1")]
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in core_events] == expected
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in v1_events] == expected
    assert {e["object"]["apiVersion"] for e in core_events} == {"v1"}
    assert {e["object"]["apiVersion"] for e in v1_events} == {"events.k8s.io/v1"}
    assert core_events[0]["object"]["message"] == "all good"
    assert v1_events[1]["object"]["note"] == "restarting"


async def test_field_selectors_take_each_versions_labels(api, new_ns):
    ns = await namespace(api, new_ns)
    await api.post(f"{EVENTS}/namespaces/{ns}/events", new_style("n", ns))
    await api.post(f"{CORE}/namespaces/{ns}/events", old_style("o", ns))

    async def names(base: str, selector: str) -> list[str]:
        status, listed = await api.get(f"{base}/namespaces/{ns}/events", params={"fieldSelector": selector})
        assert status == 200, listed
        return [i["metadata"]["name"] for i in listed["items"]]

    assert await names(EVENTS, "regarding.name=web") == ["n"]
    assert await names(EVENTS, "reportingController=example.com/ctl") == ["n"]
    assert await names(EVENTS, "source=kubelet,type=Warning") == ["o"]
    assert await names(EVENTS, "regarding.kind=Pod,reason!=Synced") == ["o"]
    assert await names(CORE, "involvedObject.name=web") == ["n"]
    assert await names(CORE, "reportingComponent=example.com/ctl") == ["n"]
    # as in kube, each version accepts only its own labels
    for base, label in ((EVENTS, "involvedObject.name"), (EVENTS, "reportingComponent"), (CORE, "regarding.name")):
        status, body = await api.get(f"{base}/namespaces/{ns}/events", params={"fieldSelector": f"{label}=x"})
        assert status == 400, body
        assert body["kind"] == "Status" and body["reason"] == "BadRequest"
        assert body["message"] == f"field label not supported: {label}"
    # watches select with the same labels
    _, listed = await api.get(f"{CORE}/namespaces/{ns}/events")
    events = await api.watch(f"{EVENTS}/namespaces/{ns}/events",
                             {"resourceVersion": "0", "fieldSelector": "regarding.name=db"},
                             until=lambda events: len(events) >= 1)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "o")]


async def test_tables_of_events_v1_print_the_converted_objects(api, new_ns):
    ns = await namespace(api, new_ns)
    await api.post(f"{EVENTS}/namespaces/{ns}/events", new_style("n", ns))
    await api.post(f"{CORE}/namespaces/{ns}/events", old_style("o", ns))
    status, table = await api.get(f"{EVENTS}/namespaces/{ns}/events", headers={"Accept": TABLE})
    assert status == 200, table
    headers = [c["name"] for c in table["columnDefinitions"]]
    rows = {r["object"]["metadata"]["name"]: dict(zip(headers, r["cells"], strict=True)) for r in table["rows"]}
    assert [rows["n"][k] for k in ("Type", "Reason", "Object", "Source", "Message", "Count")] == [
        "Normal", "Synced", "pod/web", "example.com/ctl, ctl-1", "all good", 1]
    assert [rows["o"][k] for k in ("Type", "Reason", "Object", "Source", "Message", "Count")] == [
        "Warning", "BackOff", "pod/db", "kubelet, n1", "restarting", 3]
    assert {r["object"]["apiVersion"] for r in table["rows"]} == {"meta.k8s.io/v1"}


async def test_encrypting_events_covers_writes_through_both_apis(replica_factory, etcd_cluster, pki, tmp_path,
                                                                 client, new_ns):
    config = write_config(tmp_path / "enc.yaml", aescbc("k1", key_secret()), "{identity: {}}", resources="events")
    replica = replica_factory(f"--encryption-provider-config={config}")
    api = client(replica)
    ns = await namespace(api, new_ns)
    assert (await api.post(f"{EVENTS}/namespaces/{ns}/events", new_style("n", ns)))[0] == 201
    assert (await api.post(f"{CORE}/namespaces/{ns}/events", old_style("o", ns)))[0] == 201
    for name, text in (("n", b"all good"), ("o", b"restarting")):
        raw = raw_value(etcd_cluster, pki, f"{replica.prefix}/events/{ns}/{name}")
        assert raw is not None and raw.startswith(b"k8s:enc:aescbc:v1:k1:") and text not in raw
    _, listed = await api.get(f"{EVENTS}/namespaces/{ns}/events")
    assert [(i["metadata"]["name"], i["note"]) for i in listed["items"]] == [("n", "all good"), ("o", "restarting")]


async def test_under_protobuf_storage_events_v1_is_stored_as_a_core_event_message(replica_factory, etcd_cluster,
                                                                                   pki, client, new_ns):
    replica = replica_factory("--storage-media-type=application/vnd.kubernetes.protobuf")
    api = client(replica)
    ns = await namespace(api, new_ns)
    status, created = await api.post(f"{EVENTS}/namespaces/{ns}/events", new_style("n", ns))
    assert status == 201, created
    raw = raw_value(etcd_cluster, pki, f"{replica.prefix}/events/{ns}/n")
    # kube's protobuf envelope: magic, then the TypeMeta of a core v1 Event
    assert raw is not None and raw.startswith(b"k8s\x00\n\x0b\n\x02v1\x12\x05Event")
    _, got = await api.get(f"{EVENTS}/namespaces/{ns}/events/n")
    assert {k: v for k, v in got.items() if k != "metadata"} == {
        k: v for k, v in created.items() if k != "metadata"}
    # core/v1's reporting fields come back from protobuf as "": v1 leaves them out, as kube's omitempty does
    assert (await api.post(f"{CORE}/namespaces/{ns}/events", old_style("o", ns)))[0] == 201
    _, core = await api.get(f"{CORE}/namespaces/{ns}/events/o")
    assert core["reportingComponent"] == "" and core["reportingInstance"] == ""
    _, v1 = await api.get(f"{EVENTS}/namespaces/{ns}/events/o")
    assert "reportingController" not in v1 and "reportingInstance" not in v1 and v1["note"] == "restarting"


async def test_an_events_v1_owner_reference_is_resolved_by_the_garbage_collector(api, new_ns):
    ns = await namespace(api, new_ns)
    _, owner = await api.post(f"{EVENTS}/namespaces/{ns}/events", new_style("owner", ns))
    child = {"metadata": {"name": "child", "ownerReferences": [
        {"apiVersion": "events.k8s.io/v1", "kind": "Event", "name": "owner", "uid": owner["metadata"]["uid"]}]}}
    assert (await api.post(f"{CORE}/namespaces/{ns}/configmaps", child))[0] == 201
    # deleted through core/v1, the owner is gone for its events.k8s.io/v1 reference too
    assert (await api.delete(f"{CORE}/namespaces/{ns}/events/owner"))[0] == 200
    await until_gone(api, f"{CORE}/namespaces/{ns}/configmaps/child")
