"""The core/v1 kinds beyond pods, services, config maps and secrets, through the server, answered as
kube-apiserver 1.32 answers: 422 Invalid with kube's causes on create and update, the split between a resource and
its status, what a delete answers, defaults, warnings and field selectors."""
from __future__ import annotations

import re
import uuid
from typing import Any

import orjson
import pytest

from tests.integration.conftest import make_namespace

MERGE = {"Content-Type": "application/merge-patch+json"}
POD_SPEC = {"containers": [{"name": "c", "image": "nginx:1.27"}]}
SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
             "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
EFFECTS = '"NoSchedule", "PreferNoSchedule", "NoExecute"'


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def causes(body: dict) -> list[tuple[str, str, str]]:
    return [(c["reason"], c.get("field", ""), c["message"]) for c in body["details"]["causes"]]


async def invalid(api, method: str, path: str, obj: Any, headers: dict | None = None) -> dict:
    status, body = await api.request(method, path, obj, headers=headers)
    assert status == 422, body
    assert body["reason"] == "Invalid" and body["code"] == 422, body
    return body


async def request_warnings(api, method: str, path: str, obj: Any) -> tuple[int, Any, list[str]]:
    """(status, body, the Warning headers' texts)."""
    async with api.session.request(method, api.url + path, data=orjson.dumps(obj),
                                   headers={"Content-Type": "application/json"}) as resp:
        body = orjson.loads(await resp.read())
        texts = [re.sub(r"\\(.)", r"\1", w.split(" ", 2)[2][1:-1]) for w in resp.headers.getall("Warning", [])]
        return resp.status, body, texts


# --- create: kube's causes, kind by kind ----------------------------------------------------------------------

def _pv(name: str, **spec) -> dict:
    return {"metadata": {"name": name}, "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                                                 "hostPath": {"path": "/data"}, **spec}}


def _pvc(name: str, **spec) -> dict:
    return {"metadata": {"name": name}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                 "resources": {"requests": {"storage": "1Gi"}}, **spec}}


def _rc(name: str, **spec) -> dict:
    return {"metadata": {"name": name}, "spec": {"selector": {"app": name}, "template": {
        "metadata": {"labels": {"app": name}}, "spec": POD_SPEC}, **spec}}


# (case, kind, plural, namespaced, object, kube's causes)
CREATE_CASES: list[tuple[str, str, str, bool, dict, list[tuple[str, str, str]]]] = [
    ("serviceaccount", "ServiceAccount", "serviceaccounts", True,
     {"metadata": {"name": "sa", "finalizers": ["custom"]}},
     [("FieldValueInvalid", "metadata.finalizers[0]",
       'Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified')]),
    ("node", "Node", "nodes", False,
     {"metadata": {"name": "NODE"}, "spec": {"taints": [{"key": "k", "effect": "Sometimes"}, {"key": "k2"}],
                                             "podCIDRs": ["10.0.0.0/24", "10.1.0.0/24"]}},
     [("FieldValueInvalid", "metadata.name", f'Invalid value: "NODE": {SUBDOMAIN}'),
      ("FieldValueNotSupported", "metadata.taints[0].effect",
       f'Unsupported value: "Sometimes": supported values: {EFFECTS}'),
      ("FieldValueRequired", "metadata.taints[1].effect", "Required value"),
      ("FieldValueInvalid", "spec.podCIDRs",
       'Invalid value: []string{"10.0.0.0/24", "10.1.0.0/24"}: may specify no more than one CIDR for each IP family')]),
    ("endpoints", "Endpoints", "endpoints", True,
     {"metadata": {"name": "ep"}, "subsets": [{"addresses": [{"ip": "10.0.0.300"}],
                                               "ports": [{"port": 0}, {"name": "b", "port": 80, "protocol": "HTTP"}]},
                                              {"ports": [{"port": 80}]}]},
     [("FieldValueInvalid", "subsets[0].addresses[0].ip",
       'Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'),
      ("FieldValueInvalid", "subsets[0].addresses[0].ip", 'Invalid value: "10.0.0.300": must be a valid IP address'),
      ("FieldValueRequired", "subsets[0].ports[0].name", "Required value"),
      ("FieldValueInvalid", "subsets[0].ports[0].port", "Invalid value: 0: must be between 1 and 65535, inclusive"),
      ("FieldValueNotSupported", "subsets[0].ports[1].protocol",
       'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'),
      ("FieldValueRequired", "subsets[1]", "Required value: must specify `addresses` or `notReadyAddresses`")]),
    ("persistentvolume", "PersistentVolume", "persistentvolumes", False, {"metadata": {"name": "pv"}, "spec": {}},
     [("FieldValueRequired", "spec.accessModes", "Required value"),
      ("FieldValueRequired", "spec.capacity", "Required value"),
      ("FieldValueNotSupported", "spec.capacity",
       'Unsupported value: core.ResourceList(nil): supported values: "storage"'),
      ("FieldValueRequired", "spec", "Required value: must specify a volume type")]),
    ("persistentvolume-sources", "PersistentVolume", "persistentvolumes", False,
     _pv("pv", capacity={"storage": "0"}, nfs={"server": "nfs", "path": "exports"}, local={"path": "/mnt"}),
     [("FieldValueInvalid", "spec.capacity[storage]", 'Invalid value: "0": must be greater than zero'),
      ("FieldValueForbidden", "spec.nfs", "Forbidden: may not specify more than 1 volume type"),
      ("FieldValueForbidden", "spec.local", "Forbidden: may not specify more than 1 volume type")]),
    ("persistentvolumeclaim", "PersistentVolumeClaim", "persistentvolumeclaims", True,
     {"metadata": {"name": "pvc"}, "spec": {"accessModes": ["ReadWriteSometimes"], "storageClassName": "Gold"}},
     [("FieldValueNotSupported", "spec.accessModes",
       'Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", '
       '"ReadWriteOnce", "ReadWriteOncePod"'),
      ("FieldValueRequired", "spec.resources[storage]", "Required value"),
      ("FieldValueInvalid", "spec.storageClassName", f'Invalid value: "Gold": {SUBDOMAIN}')]),
    ("limitrange", "LimitRange", "limitranges", True,
     {"metadata": {"name": "lr"}, "spec": {"limits": [
         {"type": "Container", "min": {"memory": "1Gi"}, "max": {"memory": "512Mi"}},
         {"type": "Pod", "defaultRequest": {"cpu": "1"}}, {"type": "PersistentVolumeClaim"}]}},
     [("FieldValueInvalid", "spec.limits[0].min[memory]",
       "Invalid value: 1Gi: min value 1Gi is greater than max value 512Mi"),
      ("FieldValueInvalid", "spec.limits[0].defaultRequest[memory]",
       "Invalid value: 512Mi: min value 1Gi is greater than default request value 512Mi"),
      ("FieldValueInvalid", "spec.limits[0].default[memory]",
       "Invalid value: 1Gi: min value 1Gi is greater than default value 512Mi"),
      ("FieldValueForbidden", "spec.limits[1].defaultRequest",
       "Forbidden: may not be specified when `type` is 'Pod'"),
      ("FieldValueRequired", "spec.limits[2].limits",
       "Required value: either minimum or maximum storage value is required, but neither was provided")]),
    ("resourcequota", "ResourceQuota", "resourcequotas", True,
     {"metadata": {"name": "rq"}, "spec": {"hard": {"pods": "-1", "services": "1.5", "widgets": "1"},
                                           "scopes": ["BestEffort", "Terminating"]}},
     [("FieldValueInvalid", "spec.hard[pods]", 'Invalid value: "-1": must be greater than or equal to 0'),
      ("FieldValueInvalid", "spec.hard[services]", "Invalid value: 1500m: must be an integer"),
      ("FieldValueInvalid", "spec.hard[widgets]",
       "Invalid value: widgets: must be a standard resource type or fully qualified"),
      ("FieldValueInvalid", "spec.hard[widgets]", "Invalid value: widgets: must be a standard resource for quota"),
      # services: counted for neither scope, once for each
      *[("FieldValueInvalid", "spec.scopes", 'Invalid value: []core.ResourceQuotaScope{"BestEffort", "Terminating"}: '
                                             "unsupported scope applied to resource")] * 2]),
    ("replicationcontroller", "ReplicationController", "replicationcontrollers", True,
     {"metadata": {"name": "rc"}, "spec": {"replicas": -1, "selector": {"app": "x"}, "template": {
         "metadata": {"labels": {"app": "y"}}, "spec": {**POD_SPEC, "restartPolicy": "OnFailure"}}}},
     [("FieldValueInvalid", "spec.replicas", "Invalid value: -1: must be greater than or equal to 0"),
      ("FieldValueInvalid", "spec.template.metadata.labels",
       'Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`'),
      ("FieldValueNotSupported", "spec.template.spec.restartPolicy",
       'Unsupported value: "OnFailure": supported values: "Always"')]),
    ("podtemplate", "PodTemplate", "podtemplates", True,
     {"metadata": {"name": "pt"}, "template": {"spec": {"containers": []}}},
     [("FieldValueRequired", "template.spec.containers", "Required value")]),
    ("event", "Event", "events", True,
     {"metadata": {"name": "ev"}, "involvedObject": {"kind": "Pod", "name": "p"},
      "eventTime": "2026-01-01T00:00:00.000000Z", "reportingComponent": "kubelet", "action": "Pull"},
     [("FieldValueInvalid", "involvedObject.namespace", 'Invalid value: "": does not match event.namespace'),
      ("FieldValueRequired", "reportingInstance", "Required value"),
      ("FieldValueRequired", "reason", "Required value")]),
    ("namespace", "Namespace", "namespaces", False,
     {"metadata": {"name": "ns"}, "spec": {"finalizers": ["example.com/hold", "mine"]}},
     [("FieldValueInvalid", "spec.finalizers",
       'Invalid value: "mine": name is neither a standard finalizer name nor is it fully qualified')]),
]


@pytest.mark.parametrize(("kind", "plural", "namespaced", "obj", "expected"),
                         [c[1:] for c in CREATE_CASES], ids=[c[0] for c in CREATE_CASES])
async def test_create_is_refused_with_kubes_causes(api, new_ns, kind, plural, namespaced, obj, expected):
    if namespaced:
        ns = new_ns()
        await make_namespace(api, ns)
        path = f"/api/v1/namespaces/{ns}/{plural}"
    else:
        path = f"/api/v1/{plural}"
    body = await invalid(api, "POST", path, obj)
    assert causes(body) == expected
    name = obj["metadata"]["name"]
    assert body["details"]["kind"] == kind and body["details"]["name"] == name
    messages = list(dict.fromkeys(f"{field}: {message}" for _, field, message in expected))
    joined = messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"
    assert body["message"] == f'{kind} "{name}" is invalid: {joined}'


async def test_events_v1_writes_meet_kubes_stricter_rules(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"/apis/events.k8s.io/v1/namespaces/{ns}/events"
    body = await invalid(api, "POST", path, {
        "metadata": {"name": "Ev"}, "regarding": {"kind": "Pod", "name": "p", "namespace": ns},
        "reportingController": "example.com/ctl", "reportingInstance": "i", "action": "A", "reason": "R",
        "type": "Odd", "deprecatedCount": 2})
    assert causes(body) == [
        ("FieldValueInvalid", "metadata.name", f'Invalid value: "Ev": {SUBDOMAIN}'),
        ("FieldValueRequired", "eventTime", "Required value"),
        ("FieldValueInvalid", "type", 'Invalid value: "": has invalid value: Odd'),
        ("FieldValueInvalid", "count", 'Invalid value: "": needs to be unset')]
    assert body["details"]["kind"] == "Event"
    # the same Event through core/v1 meets only the legacy rules
    core = {"metadata": {"name": "Ev"}, "involvedObject": {"kind": "Pod", "name": "p", "namespace": ns},
            "reportingComponent": "example.com/ctl", "type": "Odd", "count": 2}
    status, created = await api.post(f"/api/v1/namespaces/{ns}/events", core)
    assert status == 201, created
    # an update through events.k8s.io/v1 may move the series along, not rewrite what was reported
    event = {"metadata": {"name": "ev"}, "eventTime": "2026-01-01T00:00:00.000000Z",
             "reportingController": "example.com/ctl", "reportingInstance": "i", "action": "A", "reason": "R",
             "type": "Normal", "note": "first", "regarding": {"kind": "Pod", "name": "p", "namespace": ns}}
    status, created = await api.post(path, event)
    assert status == 201, created
    status, patched = await api.request("PATCH", f"{path}/ev", {"series": {
        "count": 2, "lastObservedTime": "2026-01-01T00:01:00.000000Z"}}, headers=MERGE)
    assert status == 200 and patched["series"]["count"] == 2, patched
    body = await invalid(api, "PATCH", f"{path}/ev", {"note": "second", "series": {"count": 1}}, MERGE)
    assert causes(body) == [("FieldValueInvalid", "series.count", 'Invalid value: "": should be at least 2'),
                            ("FieldValueInvalid", "message", 'Invalid value: "second": field is immutable')]
    status, rewritten = await api.request("PATCH", f"/api/v1/namespaces/{ns}/events/ev", {"message": "second"},
                                          headers=MERGE)
    assert status == 200 and rewritten["message"] == "second", rewritten


# --- update: immutable fields and kube's repeated checks --------------------------------------------------------

async def test_updates_keep_what_kube_fixes(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    core = f"/api/v1/namespaces/{ns}"

    node = unique("node")
    status, _ = await api.post("/api/v1/nodes", {"metadata": {"name": node}, "spec": {
        "podCIDR": "10.0.0.0/24", "providerID": "example://1"}})
    assert status == 201
    body = await invalid(api, "PATCH", f"/api/v1/nodes/{node}", {"spec": {"podCIDR": "10.0.9.0/24",
                                                                          "podCIDRs": ["10.0.9.0/24"],
                                                                          "providerID": "example://2"}}, MERGE)
    assert causes(body) == [
        ("FieldValueForbidden", "spec.podCIDRs", 'Forbidden: node updates may not change podCIDR except from "" to '
                                                 "valid"),
        ("FieldValueForbidden", "spec.providerID",
         'Forbidden: node updates may not change providerID except from "" to valid')]

    pvc = _pvc("data")
    status, _ = await api.post(f"{core}/persistentvolumeclaims", pvc)
    assert status == 201
    body = await invalid(api, "PATCH", f"{core}/persistentvolumeclaims/data", {"spec": {
        "accessModes": ["ReadWriteMany"], "volumeMode": "Block"}}, MERGE)
    assert [(r, f) for r, f, _ in causes(body)] == [("FieldValueForbidden", "spec"),
                                                    ("FieldValueInvalid", "volumeMode")]
    assert causes(body)[0][2].startswith("Forbidden: spec is immutable after creation except resources.requests "
                                         "and volumeAttributesClassName for bound claims\n")
    assert causes(body)[1][2] == 'Invalid value: "Block": field is immutable'
    # the volume name is set once, by the binder
    status, bound = await api.request("PATCH", f"{core}/persistentvolumeclaims/data",
                                      {"spec": {"volumeName": "pv-data"}}, headers=MERGE)
    assert status == 200 and bound["spec"]["volumeName"] == "pv-data", bound

    pv = unique("pv")
    status, _ = await api.post("/api/v1/persistentvolumes", _pv(pv))
    assert status == 201
    body = await invalid(api, "PATCH", f"/api/v1/persistentvolumes/{pv}", {"spec": {
        "hostPath": {"path": "/elsewhere"}, "capacity": {"storage": "-1"}}}, MERGE)
    found = causes(body)
    # kube checks the spec twice on update (its strategy, then ValidatePersistentVolumeUpdate)
    assert [(r, f) for r, f, _ in found] == [("FieldValueInvalid", "spec.capacity[storage]"),
                                             ("FieldValueInvalid", "spec.capacity[storage]"),
                                             ("FieldValueInvalid", "spec.capacity[storage]"),
                                             ("FieldValueInvalid", "spec.capacity[storage]"),
                                             ("FieldValueForbidden", "spec.persistentvolumesource")]
    assert found[0][2] == "Invalid value: -1: must be a valid resource quantity"
    assert found[1][2] == 'Invalid value: "-1": must be greater than zero'
    assert found[4][2].startswith("Forbidden: spec.persistentvolumesource is immutable after creation\n")

    status, _ = await api.post(f"{core}/resourcequotas", {"metadata": {"name": "rq"}, "spec": {
        "hard": {"pods": "2"}, "scopes": ["BestEffort"]}})
    assert status == 201
    body = await invalid(api, "PATCH", f"{core}/resourcequotas/rq", {"spec": {"scopes": None}}, MERGE)
    assert causes(body) == [("FieldValueInvalid", "spec.scopes",
                             "Invalid value: []core.ResourceQuotaScope(nil): field is immutable")]

    status, _ = await api.post(f"{core}/replicationcontrollers", _rc("rc"))
    assert status == 201
    body = await invalid(api, "PATCH", f"{core}/replicationcontrollers/rc", {"spec": {"replicas": -2}}, MERGE)
    assert causes(body) == [("FieldValueInvalid", "spec.replicas",
                             "Invalid value: -2: must be greater than or equal to 0")] * 2
    assert body["message"] == ('ReplicationController "rc" is invalid: spec.replicas: Invalid value: -2: must be '
                               "greater than or equal to 0")

    for plural, obj, patch, field in (
            ("endpoints", {"metadata": {"name": "ep"}, "subsets": [
                {"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80}]}]},
             {"subsets": [{"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 65536}]}]},
             "subsets[0].ports[0].port"),
            ("limitranges", {"metadata": {"name": "lr"}, "spec": {"limits": [{"type": "Pod", "max": {"cpu": "2"}}]}},
             {"spec": {"limits": [{"type": "Pod", "max": {"cpu": "2"}, "min": {"cpu": "3"}}]}},
             "spec.limits[0].min[cpu]"),
            ("podtemplates", {"metadata": {"name": "pt"}, "template": {"spec": POD_SPEC}},
             {"template": {"spec": {"containers": None}}}, "template.spec.containers"),
            ("serviceaccounts", {"metadata": {"name": "sa"}}, {"metadata": {"finalizers": ["held"]}},
             "metadata.finalizers[0]")):
        status, created = await api.post(f"{core}/{plural}", obj)
        assert status == 201, created
        body = await invalid(api, "PATCH", f"{core}/{plural}/{obj['metadata']['name']}", patch, MERGE)
        assert [c["field"] for c in body["details"]["causes"]] == [field], body


# --- status split -------------------------------------------------------------------------------------------

async def test_volumes_and_claims_keep_status_and_spec_apart(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    name = unique("pv")
    path = f"/api/v1/persistentvolumes/{name}"
    status, pv = await api.post("/api/v1/persistentvolumes", {**_pv(name), "status": {"phase": "Bound"}})
    assert status == 201, pv
    assert pv["status"]["phase"] == "Pending" and pv["status"]["lastPhaseTransitionTime"]
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain" and pv["spec"]["volumeMode"] == "Filesystem"
    assert pv["spec"]["hostPath"] == {"path": "/data", "type": ""}
    status, updated = await api.put(path, {**pv, "status": {"phase": "Failed"}})
    assert status == 200 and updated["status"] == pv["status"], updated
    status, written = await api.put(f"{path}/status", {**updated, "spec": {**updated["spec"], "storageClassName": "x"},
                                                       "status": {"phase": "Available"}})
    assert status == 200, written
    assert "storageClassName" not in written["spec"] and written["status"]["phase"] == "Available"
    assert written["status"]["lastPhaseTransitionTime"]

    claims = f"/api/v1/namespaces/{ns}/persistentvolumeclaims"
    # growing a claim needs a class that allows it (kube's PersistentVolumeClaimResize admission)
    expandable = unique("sc")
    status, body = await api.post("/apis/storage.k8s.io/v1/storageclasses", {
        "metadata": {"name": expandable}, "provisioner": "example.com/p", "allowVolumeExpansion": True})
    assert status == 201, body
    status, claim = await api.post(claims, {**_pvc("c", resources={"requests": {"storage": "1.5Gi"}},
                                                   storageClassName=expandable), "status": {"phase": "Bound"}})
    assert status == 201, claim
    assert claim["status"] == {"phase": "Pending"}
    assert claim["spec"]["resources"]["requests"]["storage"] == "1536Mi" and claim["spec"]["volumeMode"] == "Filesystem"
    status, written = await api.put(f"{claims}/c/status", {**claim, "spec": {**claim["spec"], "volumeName": "v"},
                                                           "status": {"phase": "Bound",
                                                                      "capacity": {"storage": "2Gi"}}})
    assert status == 200 and "volumeName" not in written["spec"], written
    # a bound claim grows, and may not shrink below what it holds
    status, grown = await api.request("PATCH", f"{claims}/c", {"spec": {"resources": {"requests": {
        "storage": "3Gi"}}}}, headers=MERGE)
    assert status == 200 and grown["spec"]["resources"]["requests"]["storage"] == "3Gi", grown
    body = await invalid(api, "PATCH", f"{claims}/c", {"spec": {"resources": {"requests": {"storage": "1Gi"}}}},
                         MERGE)
    assert causes(body) == [("FieldValueForbidden", "spec.resources.requests.storage",
                             "Forbidden: field can not be less than status.capacity")]


async def test_nodes_quotas_and_controllers_keep_status_and_spec_apart(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    name = unique("node")
    path = f"/api/v1/nodes/{name}"
    # a kubelet registers its node with its status, which kube keeps
    status, node = await api.post("/api/v1/nodes", {"metadata": {"name": name}, "spec": {"podCIDR": "10.2.0.0/24"},
                                                    "status": {"capacity": {"cpu": "4000m", "memory": "8Gi"}}})
    assert status == 201, node
    assert node["status"]["capacity"] == {"cpu": "4", "memory": "8Gi"}
    assert node["status"]["allocatable"] == node["status"]["capacity"]
    assert node["spec"]["podCIDRs"] == ["10.2.0.0/24"]
    status, updated = await api.request("PATCH", path, {"spec": {"unschedulable": True},
                                                        "status": {"capacity": {"cpu": "1"}}}, headers=MERGE)
    assert status == 200 and updated["status"]["capacity"]["cpu"] == "4", updated
    status, written = await api.request("PATCH", f"{path}/status", {"spec": {"unschedulable": False},
                                                                    "status": {"capacity": {"cpu": "2"}}},
                                        headers=MERGE)
    assert status == 200 and written["spec"]["unschedulable"] is True and written["status"]["capacity"]["cpu"] == "2"

    quotas = f"/api/v1/namespaces/{ns}/resourcequotas"
    status, quota = await api.post(quotas, {"metadata": {"name": "q"}, "spec": {"hard": {"cpu": "1000m"}},
                                            "status": {"hard": {"cpu": "9"}}})
    assert status == 201 and quota["status"] == {} and quota["spec"]["hard"] == {"cpu": "1"}, quota
    # the quota controller may write the status first: this write does not insist on the version created
    unconditional = {**quota, "metadata": {k: v for k, v in quota["metadata"].items() if k != "resourceVersion"}}
    status, written = await api.put(f"{quotas}/q/status", {**unconditional, "spec": {"hard": {"cpu": "5"}},
                                                           "status": {"hard": {"cpu": "1"}, "used": {"cpu": "0"}}})
    assert status == 200 and written["spec"]["hard"] == {"cpu": "1"}, written
    assert written["status"] == {"hard": {"cpu": "1"}, "used": {"cpu": "0"}}
    status, body = await api.put(f"{quotas}/q/status", {**written, "status": {"used": {"cpu": "-1"}}})
    assert status == 422 and [c["field"] for c in body["details"]["causes"]] == ["status.used[cpu]"], body

    controllers = f"/api/v1/namespaces/{ns}/replicationcontrollers"
    status, rc = await api.post(controllers, {**_rc("web"), "status": {"replicas": 7}})
    assert status == 201 and rc["status"] == {"replicas": 0} and rc["metadata"]["generation"] == 1, rc
    status, rc = await api.request("PATCH", f"{controllers}/web", {"spec": {"minReadySeconds": 5}}, headers=MERGE)
    assert status == 200 and rc["metadata"]["generation"] == 2, rc
    status, rc = await api.request("PATCH", f"{controllers}/web/status", {"status": {"replicas": 1}}, headers=MERGE)
    assert status == 200 and rc["metadata"]["generation"] == 2 and rc["status"] == {"replicas": 1}, rc
    status, body = await api.request("PATCH", f"{controllers}/web/status", {"status": {"readyReplicas": 2}},
                                     headers=MERGE)
    assert status == 422 and body["details"]["causes"] == [{
        "reason": "FieldValueInvalid", "field": "status.readyReplicas",
        "message": "Invalid value: 2: cannot be greater than status.replicas"}], body

    templates = f"/api/v1/namespaces/{ns}/podtemplates"
    status, template = await api.post(templates, {"metadata": {"name": "t"}, "template": {"spec": POD_SPEC}})
    assert status == 201 and template["metadata"]["generation"] == 1, template
    status, template = await api.request("PATCH", f"{templates}/t", {"metadata": {"labels": {"a": "b"}}},
                                         headers=MERGE)
    assert template["metadata"]["generation"] == 1
    status, template = await api.request("PATCH", f"{templates}/t", {"template": {"metadata": {"labels": {
        "a": "b"}}}}, headers=MERGE)
    assert status == 200 and template["metadata"]["generation"] == 2, template


# --- what the server fills in -------------------------------------------------------------------------------

async def test_defaults_and_prepared_fields(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    core = f"/api/v1/namespaces/{ns}"
    status, sa = await api.post(f"{core}/serviceaccounts", {"metadata": {"name": "robot"}, "secrets": [
        {"name": "token", "namespace": "other", "uid": "u"}]})
    assert status == 201 and sa["secrets"] == [{"name": "token"}], sa
    status, ep = await api.post(f"{core}/endpoints", {"metadata": {"name": "ep"}, "subsets": [
        {"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80}]}]})
    assert status == 201 and ep["subsets"][0]["ports"] == [{"port": 80, "protocol": "TCP"}], ep
    status, lr = await api.post(f"{core}/limitranges", {"metadata": {"name": "lr"}, "spec": {"limits": [
        {"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "64Mi"}}]}})
    assert status == 201, lr
    assert lr["spec"]["limits"][0]["default"] == {"cpu": "2"}
    assert lr["spec"]["limits"][0]["defaultRequest"] == {"cpu": "2", "memory": "64Mi"}
    name = unique("ns")
    status, namespace = await api.post("/api/v1/namespaces", {"metadata": {"name": name},
                                                              "spec": {"finalizers": ["example.com/hold"]}})
    assert status == 201 and namespace["spec"]["finalizers"] == ["example.com/hold", "kubernetes"], namespace
    status, namespace = await api.request("PATCH", f"/api/v1/namespaces/{name}", {"spec": {"finalizers": []}},
                                          headers=MERGE)
    assert status == 200 and namespace["spec"]["finalizers"] == ["example.com/hold", "kubernetes"], namespace


async def test_warnings(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    status, _, warnings = await request_warnings(api, "POST", f"/api/v1/namespaces/{ns}/serviceaccounts", {
        "metadata": {"name": "sa", "annotations": {"kubernetes.io/enforce-mountable-secrets": "true"}}})
    assert status == 201 and warnings == [
        "metadata.annotations[kubernetes.io/enforce-mountable-secrets]: deprecated in v1.32+; prefer separate "
        "namespaces to isolate access to mounted secrets"]
    status, _, warnings = await request_warnings(api, "POST", f"/api/v1/namespaces/{ns}/persistentvolumeclaims",
                                                 _pvc("c", resources={"requests": {"storage": "1.5"}}))
    assert status == 201 and warnings == [
        'spec.resources.requests[storage]: fractional byte value "1500m" is invalid, must be an integer']
    status, _, warnings = await request_warnings(api, "POST", "/api/v1/persistentvolumes", _pv(
        unique("pv"), persistentVolumeReclaimPolicy="Recycle"))
    assert status == 201 and warnings == [
        "spec.persistentVolumeReclaimPolicy: The Recycle reclaim policy is deprecated. Instead, the recommended "
        "approach is to use dynamic provisioning."]
    # a refused write carries no warnings about the object
    status, _, warnings = await request_warnings(api, "POST", f"/api/v1/namespaces/{ns}/persistentvolumeclaims", {
        "metadata": {"name": "d"}, "spec": {"resources": {"requests": {"storage": "1.5"}}}})
    assert status == 422 and warnings == []


# --- deletes and field selectors ----------------------------------------------------------------------------

async def test_deletes_answer_what_kubes_storage_answers(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    core = f"/api/v1/namespaces/{ns}"
    # ReturnDeletedObject: the deleted object itself
    pv = unique("pv")
    created = [(f"{core}/serviceaccounts", {"metadata": {"name": "sa"}}, "ServiceAccount"),
               (f"{core}/persistentvolumeclaims", _pvc("c"), "PersistentVolumeClaim"),
               ("/api/v1/persistentvolumes", _pv(pv), "PersistentVolume")]
    for path, obj, kind in created:
        status, body = await api.post(path, obj)
        assert status == 201, body
        status, body = await api.delete(f"{path}/{obj['metadata']['name']}")
        assert status == 200 and body["kind"] == kind, body
    name = unique("ns")
    await make_namespace(api, name)
    status, body = await api.delete(f"/api/v1/namespaces/{name}")
    assert status == 200 and body["kind"] == "Namespace" and body["status"]["phase"] == "Terminating", body
    # the others answer a Success Status
    others = [(f"{core}/limitranges", {"metadata": {"name": "lr"}, "spec": {"limits": []}}),
              (f"{core}/resourcequotas", {"metadata": {"name": "rq"}, "spec": {}}),
              (f"{core}/endpoints", {"metadata": {"name": "ep"}}),
              (f"{core}/podtemplates", {"metadata": {"name": "pt"}, "template": {"spec": POD_SPEC}}),
              (f"{core}/replicationcontrollers", _rc("rc")),
              (f"{core}/events", {"metadata": {"name": "ev"}, "involvedObject": {"namespace": ns}})]
    for path, obj in others:
        status, body = await api.post(path, obj)
        assert status == 201, body
        status, body = await api.delete(f"{path}/{obj['metadata']['name']}")
        assert status == 200 and body["kind"] == "Status" and body["status"] == "Success", body


async def test_field_selectors(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    events = f"/api/v1/namespaces/{ns}/events"
    for name, extra in (("by-kubelet", {"source": {"component": "kubelet"}}),
                        ("by-controller", {"reportingComponent": "example.com/ctl"})):
        status, body = await api.post(events, {"metadata": {"name": name},
                                               "involvedObject": {"namespace": ns}, **extra})
        assert status == 201, body

    async def names(path: str, selector: str) -> list[str]:
        status, listed = await api.get(path, params={"fieldSelector": selector})
        assert status == 200, listed
        return sorted(i["metadata"]["name"] for i in listed["items"])

    # kube's source is the source component, else the reporting controller
    assert await names(events, "source=kubelet") == ["by-kubelet"]
    assert await names(events, "source=example.com/ctl") == ["by-controller"]
    node = unique("node")
    status, _ = await api.post("/api/v1/nodes", {"metadata": {"name": node}, "spec": {"unschedulable": True}})
    assert status == 201
    assert node in await names("/api/v1/nodes", "spec.unschedulable=true")
    assert node not in await names("/api/v1/nodes", "spec.unschedulable=false")
    status, _ = await api.post(f"/api/v1/namespaces/{ns}/replicationcontrollers", _rc("web"))
    assert await names(f"/api/v1/namespaces/{ns}/replicationcontrollers", "status.replicas=0") == ["web"]
    assert ns in await names("/api/v1/namespaces", "status.phase=Active")
    for path in (f"/api/v1/namespaces/{ns}/persistentvolumeclaims", f"/api/v1/namespaces/{ns}/limitranges",
                 "/api/v1/persistentvolumes"):
        status, body = await api.get(path, params={"fieldSelector": "spec.volumeName=x"})
        assert status == 400, body
