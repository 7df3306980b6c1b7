"""Per-kind validation: kube-apiserver's required fields and ranges for the common kinds, as 422 Invalid."""
from __future__ import annotations

from tests.integration.conftest import make_namespace

CONTAINER = {"name": "c", "image": "nginx"}


def _template(labels: dict, **spec) -> dict:
    return {"metadata": {"labels": labels}, "spec": {"containers": [CONTAINER], **spec}}


async def _invalid(api, path: str, obj: dict) -> dict:
    status, body = await api.post(path, obj)
    assert status == 422 and body["reason"] == "Invalid", body
    return body


async def test_pods(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"/api/v1/namespaces/{ns}/pods"
    body = await _invalid(api, path, {"metadata": {"name": "p"}, "spec": {"containers": []}})
    assert body["message"] == 'Pod "p" is invalid: spec.containers: Required value'
    assert body["details"]["causes"] == [{"reason": "FieldValueRequired", "message": "Required value",
                                          "field": "spec.containers"}]
    body = await _invalid(api, path, {"metadata": {"name": "p"}, "spec": {
        "restartPolicy": "Sometimes",
        "containers": [{"name": "a"}, {"name": "a", "image": "x", "ports": [
            {"containerPort": 70000}, {"containerPort": 80, "protocol": "TCPX"}]}]}})
    # kube's order: each container's own fields, then its name against the others, then the pod's fields
    assert [c["field"] for c in body["details"]["causes"]] == [
        "spec.containers[0].image", "spec.containers[1].ports[0].containerPort",
        "spec.containers[1].ports[1].protocol", "spec.containers[1].name", "spec.restartPolicy"]
    messages = [c["message"] for c in body["details"]["causes"]]
    assert messages == ["Required value", "Invalid value: 70000: must be between 1 and 65535, inclusive",
                        'Unsupported value: "TCPX": supported values: "SCTP", "TCP", "UDP"', 'Duplicate value: "a"',
                        'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']
    status, pod = await api.post(path, {"metadata": {"name": "ok"}, "spec": {"containers": [CONTAINER]}})
    assert status == 201, pod


async def test_workloads(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"/apis/apps/v1/namespaces/{ns}/deployments"
    body = await _invalid(api, path, {"metadata": {"name": "d"}, "spec": {"template": _template({"a": "b"})}})
    # a missing selector selects nothing, so the template's labels do not match it either
    assert body["message"] == ('Deployment.apps "d" is invalid: [spec.selector: Required value, '
                               'spec.template.metadata.labels: Invalid value: map[string]string{"a":"b"}: `selector` '
                               'does not match template `labels`]')
    body = await _invalid(api, path, {"metadata": {"name": "d"}, "spec": {
        "replicas": -1, "selector": {"matchLabels": {"a": "b"}}, "template": _template({"a": "c"})}})
    assert body["message"] == ('Deployment.apps "d" is invalid: [spec.replicas: Invalid value: -1: must be greater '
                               'than or equal to 0, spec.template.metadata.labels: Invalid value: '
                               'map[string]string{"a":"c"}: `selector` does not match template `labels`]')
    body = await _invalid(api, f"/apis/apps/v1/namespaces/{ns}/replicasets", {"metadata": {"name": "r"}, "spec": {
        "selector": {"matchLabels": {"a": "b"}}, "template": _template({"a": "b"}, restartPolicy="Never")}})
    assert body["details"]["causes"][0] == {"reason": "FieldValueNotSupported", "field":
                                            "spec.template.spec.restartPolicy",
                                            "message": 'Unsupported value: "Never": supported values: "Always"'}
    body = await _invalid(api, f"/apis/batch/v1/namespaces/{ns}/jobs", {"metadata": {"name": "j"}, "spec": {
        "template": _template({})}})
    assert body["message"] == ('Job.batch "j" is invalid: spec.template.spec.restartPolicy: Required value: valid '
                               'values: "OnFailure", "Never"')
    status, job = await api.post(f"/apis/batch/v1/namespaces/{ns}/jobs", {"metadata": {"name": "j"}, "spec": {
        "template": _template({}, restartPolicy="Never")}})
    assert status == 201, job
    status, deployment = await api.post(path, {"metadata": {"name": "d"}, "spec": {
        "selector": {"matchLabels": {"a": "b"}}, "template": _template({"a": "b"})}})
    assert status == 201, deployment
    deployment["spec"]["template"]["spec"]["containers"] = []
    status, body = await api.put(f"{path}/d", deployment)
    assert status == 422 and body["details"]["causes"][0]["field"] == "spec.template.spec.containers"


async def test_services(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"/api/v1/namespaces/{ns}/services"
    body = await _invalid(api, path, {"metadata": {"name": "s"}, "spec": {"selector": {"a": "b"}}})
    assert body["message"] == 'Service "s" is invalid: spec.ports: Required value'
    body = await _invalid(api, path, {"metadata": {"name": "s"}, "spec": {"ports": [
        {"port": 0}, {"name": "b", "port": 80, "targetPort": 70000}]}})
    assert [(c["field"], c["message"]) for c in body["details"]["causes"]] == [
        ("spec.ports[0].name", "Required value"),
        ("spec.ports[0].port", "Invalid value: 0: must be between 1 and 65535, inclusive"),
        # the target port defaults to the port, so a missing port is a bad target port as well
        ("spec.ports[0].targetPort", "Invalid value: 0: must be between 1 and 65535, inclusive"),
        ("spec.ports[1].targetPort", "Invalid value: 70000: must be between 1 and 65535, inclusive")]
    for spec in ({"clusterIP": "None"}, {"type": "ExternalName", "externalName": "example.com"},
                 {"ports": [{"port": 80, "targetPort": "http"}]}):
        status, created = await api.post(path, {"metadata": {"name": f"s{len(spec)}{len(str(spec))}"},
                                                "spec": spec})
        assert status == 201, created


async def _merge_patch(api, path: str, patch: dict):
    return await api.request("PATCH", path, patch, headers={"Content-Type": "application/merge-patch+json"})


async def test_pod_updates_change_only_what_kube_allows(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "nginx:1"}]}}
    status, _ = await api.post(f"/api/v1/namespaces/{ns}/pods", pod)
    assert status == 201
    path = f"/api/v1/namespaces/{ns}/pods/p"
    status, body = await _merge_patch(api, path, {"spec": {"nodeName": "elsewhere"}})
    assert status == 422
    assert body["details"]["causes"] == [{
        "reason": "FieldValueForbidden", "field": "spec",
        "message": "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
                   "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions "
                   "to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it "
                   "was previously negative)"}]
    status, body = await api.request("PATCH", path, {"spec": {"containers": [{"name": "c", "image": "nginx:2"}],
                                                              "activeDeadlineSeconds": 60}},
                                     headers={"Content-Type": "application/strategic-merge-patch+json"})
    assert status == 200, body
    status, body = await api.request("PATCH", path, [{"op": "add", "path": "/spec/tolerations/-",
                                                      "value": {"key": "k", "operator": "Exists"}}],
                                     headers={"Content-Type": "application/json-patch+json"})
    assert status == 200, body
    assert body["spec"]["containers"][0]["image"] == "nginx:2" and body["spec"]["activeDeadlineSeconds"] == 60
    # tolerations may be added, never taken away
    status, body = await api.request("PATCH", path, [{"op": "remove", "path": "/spec/tolerations"}],
                                     headers={"Content-Type": "application/json-patch+json"})
    assert status == 422 and body["details"]["causes"] == [{
        "reason": "FieldValueForbidden", "field": "spec.tolerations",
        "message": "Forbidden: existing toleration can not be modified except its tolerationSeconds"}]


async def test_storage_class_defaults_and_fixed_fields(api):
    sc = {"metadata": {"name": "fast-validation"}, "provisioner": "example.com/disk", "parameters": {"tier": "1"}}
    status, body = await api.post("/apis/storage.k8s.io/v1/storageclasses", sc)
    assert status == 201
    assert body["reclaimPolicy"] == "Delete" and body["volumeBindingMode"] == "Immediate"
    path = "/apis/storage.k8s.io/v1/storageclasses/fast-validation"
    status, body = await _merge_patch(api, path, {"parameters": {"tier": "2"}, "volumeBindingMode":
                                                  "WaitForFirstConsumer"})
    assert status == 422
    assert body["message"] == ('StorageClass.storage.k8s.io "fast-validation" is invalid: [parameters: Forbidden: '
                               'updates to parameters are forbidden., volumeBindingMode: Invalid value: '
                               '"WaitForFirstConsumer": field is immutable]')
    status, _ = await _merge_patch(api, path, {"allowVolumeExpansion": True})
    assert status == 200
    await api.delete(path)
