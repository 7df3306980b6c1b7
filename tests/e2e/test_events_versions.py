"""Events through both APIs with the real kubectl and the official Python client: one storage, two shapes."""
from __future__ import annotations

import datetime
import json
import uuid

from kubernetes import client

from tests.e2e.test_kubectl_output import apply, rows
from tests.e2e.test_python_client import api_client


def new_style(name: str, ns: str) -> dict:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": name, "namespace": ns},
            "eventTime": now, "reportingController": "example.com/ctl", "reportingInstance": "ctl-1",
            "action": "Reconcile", "reason": "Synced", "type": "Normal", "note": "all good",
            "regarding": {"apiVersion": "v1", "kind": "Pod", "namespace": ns, "name": "web"}}


def test_kubectl_reads_events_of_both_apis(kubectl, tmp_path):
    ns = f"ev-{uuid.uuid4().hex[:6]}"
    kubectl("create", "ns", ns)
    apply(kubectl, tmp_path, new_style("new", ns))
    kubectl("-n", ns, "create", "-f", "-", input_text=json.dumps({
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": "old"}, "reason": "BackOff", "type": "Warning",
        "message": "restarting", "involvedObject": {"kind": "Pod", "namespace": ns, "name": "db"},
        "source": {"component": "kubelet"}, "count": 2}))

    header = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    by_api = {}
    for resource in ("events", "events.v1.events.k8s.io"):
        table = rows(kubectl("-n", ns, "get", resource, "--sort-by=.metadata.name").stdout)
        assert table[0] == header, table
        by_api[resource] = [row[1:] for row in table[1:]]
    assert by_api["events"] == by_api["events.v1.events.k8s.io"] == [
        ["Normal", "Synced", "pod/web", "all good"], ["Warning", "BackOff", "pod/db", "restarting"]]

    v1 = json.loads(kubectl("-n", ns, "get", "events.v1.events.k8s.io", "old", "-o", "json").stdout)
    assert v1["apiVersion"] == "events.k8s.io/v1" and v1["note"] == "restarting"
    assert v1["deprecatedSource"] == {"component": "kubelet"} and v1["deprecatedCount"] == 2
    core = json.loads(kubectl("-n", ns, "get", "events", "new", "-o", "json").stdout)
    assert core["apiVersion"] == "v1" and core["message"] == "all good"
    assert core["reportingComponent"] == "example.com/ctl"

    # `kubectl events` lists core Events: the one written through events.k8s.io is there too
    table = rows(kubectl("-n", ns, "events").stdout)
    assert table[0] == header
    assert sorted(row[1:] for row in table[1:]) == [
        ["Normal", "Synced", "Pod/web", "all good"], ["Warning", "BackOff", "Pod/db", "restarting"]]
    table = rows(kubectl("-n", ns, "events", "--for=pod/web").stdout)
    assert [row[1:] for row in table[1:]] == [["Normal", "Synced", "Pod/web", "all good"]]

    kubectl("-n", ns, "delete", "events.v1.events.k8s.io", "old")
    assert kubectl("-n", ns, "get", "events", "old", check=False).returncode == 1


def test_python_client_events_v1(apiserver, pki, tmp_path):
    api = api_client(apiserver.url, pki, tmp_path)
    ns = f"py-{uuid.uuid4().hex[:6]}"
    core = client.CoreV1Api(api)
    core.create_namespace({"metadata": {"name": ns}})
    events = client.EventsV1Api(api)

    created = events.create_namespaced_event(ns, new_style("a", ns))
    assert created.note == "all good" and created.regarding.name == "web"
    assert created.reporting_controller == "example.com/ctl"
    as_core = core.read_namespaced_event("a", ns)
    assert as_core.message == "all good" and as_core.involved_object.name == "web"
    assert as_core.reporting_component == "example.com/ctl" and as_core.reporting_instance == "ctl-1"

    patched = events.patch_namespaced_event("a", ns, {"series": {"count": 2,
                                                                 "lastObservedTime": new_style("a", ns)["eventTime"]}})
    assert patched.series.count == 2
    assert core.read_namespaced_event("a", ns).series.count == 2
    listed = events.list_namespaced_event(ns, field_selector="regarding.name=web")
    assert [(i.metadata.name, i.note) for i in listed.items] == [("a", "all good")]
    events.delete_namespaced_event("a", ns)
    assert core.list_namespaced_event(ns).items == []
