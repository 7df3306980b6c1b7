"""Pods and the workload kinds through the server as kube-apiserver 1.32 answers them: 422 Invalid with kube's
field paths and messages, immutable fields, the status split and generation, the Warning headers, the delete
answer and the field selectors."""
from __future__ import annotations

from typing import Any

from tests.integration.conftest import make_namespace

CONTAINER = {"name": "c", "image": "nginx:1"}
LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
         "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
         "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS_LABEL_WARNING = ("metadata.name: this is used in {}, which can result in surprising behavior; a DNS label is "
                     f"recommended: [{LABEL}]")


def _template(labels: dict, **spec: Any) -> dict:
    return {"metadata": {"labels": labels}, "spec": {"containers": [CONTAINER], **spec}}


async def _namespace(api, new_ns) -> str:
    ns = new_ns()
    await make_namespace(api, ns)
    return ns


async def _invalid(api, path: str, obj: dict) -> list[tuple[str, str]]:
    status, body = await api.post(path, obj)
    assert status == 422 and body["reason"] == "Invalid", body
    return [(c["field"], c["message"]) for c in body["details"]["causes"]]


async def _write(api, method: str, path: str, obj: Any, content_type: str = "application/json") \
        -> tuple[int, Any, list[str]]:
    """A write whose Warning headers the test reads."""
    async with api.session.request(method, api.url + path, json=obj, headers={"Content-Type": content_type}) as resp:
        return resp.status, await resp.json(), resp.headers.getall("Warning", [])


def _warnings(*texts: str) -> list[str]:
    return ['299 - "' + text.replace("\\", "\\\\").replace('"', '\\"') + '"' for text in texts]


async def test_pod_volumes_env_resources_and_names(api, new_ns):
    ns = await _namespace(api, new_ns)
    path = f"/api/v1/namespaces/{ns}/pods"
    causes = await _invalid(api, path, {"metadata": {"name": "p"}, "spec": {
        "subdomain": "No", "nodeSelector": {"zone": "a b"},
        "volumes": [{"name": "v", "emptyDir": {}}, {"name": "v", "emptyDir": {}}, {"name": "w"}],
        "containers": [{"name": "c", "image": "nginx", "env": [{"name": ""}],
                        "resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}},
                        "volumeMounts": [{"name": "w", "mountPath": "/data"}],
                        "readinessProbe": {"httpGet": {"port": 0}}}],
        "tolerations": [{"key": "k", "operator": "Sometimes"}]}})
    assert causes == [
        ("spec.volumes[1].name", 'Duplicate value: "v"'),
        ("spec.volumes[2]", "Required value: must specify a volume type"),
        ("spec.containers[0].env[0].name", "Required value"),
        ("spec.containers[0].volumeMounts[0].name", 'Not found: "w"'),
        ("spec.containers[0].resources.requests", 'Invalid value: "2": must be less than or equal to cpu limit of 1'),
        ("spec.containers[0].readinessProbe.httpGet.port", "Invalid value: 0: must be between 1 and 65535, inclusive"),
        ("spec.nodeSelector", 'Invalid value: "a b": a valid label must be an empty string or consist of '
                              "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
                              "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                              "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
        ("spec.subdomain", f'Invalid value: "No": {LABEL}'),
        ("spec.tolerations[0].operator", 'Unsupported value: "Sometimes": supported values: "Equal", "Exists"'),
    ]
    causes = await _invalid(api, path, {"metadata": {"name": "p"}, "spec": {
        "containers": [CONTAINER], "ephemeralContainers": [{"name": "e", "image": "x"}]}})
    assert causes == [("spec.ephemeralContainers", "Forbidden: cannot be set on create")]


async def test_pod_warnings_and_what_create_sets(api, new_ns):
    ns = await _namespace(api, new_ns)
    path = f"/api/v1/namespaces/{ns}/pods"
    pod = {"metadata": {"name": "web.1"}, "spec": {
        "nodeSelector": {"beta.kubernetes.io/arch": "amd64"}, "schedulingGates": [{"name": "example.com/wait"}],
        "containers": [{**CONTAINER, "resources": {"limits": {"memory": "0.5"}}}]}}
    status, created, warnings = await _write(api, "POST", path, pod)
    assert status == 201, created
    assert warnings == _warnings(
        DNS_LABEL_WARNING.format("the Pod's hostname"),
        'spec.nodeSelector[beta.kubernetes.io/arch]: deprecated since v1.14; use "kubernetes.io/arch" instead',
        'spec.containers[0].resources.limits[memory]: fractional byte value "500m" is invalid, must be an integer',
        'spec.containers[0].resources.requests[memory]: fractional byte value "500m" is invalid, must be an integer')
    # the pod asks for what it limits itself to, quantities written as Go writes them; it starts Pending, held by
    # its gates
    assert created["spec"]["containers"][0]["resources"] == {"limits": {"memory": "500m"},
                                                             "requests": {"memory": "500m"}}
    assert created["status"] == {"phase": "Pending", "qosClass": "Burstable", "conditions": [
        {"type": "PodScheduled", "status": "False", "reason": "SchedulingGated",
         "message": "Scheduling is blocked due to non-empty scheduling gates"}]}
    assert "generation" not in created["metadata"]
    # an invalid pod gets its 422 and no warnings; kube skips warnings on pod updates
    status, _, warnings = await _write(api, "POST", path, {**pod, "spec": {**pod["spec"], "containers": []}})
    assert status == 422 and warnings == []
    status, updated, warnings = await _write(api, "PATCH", f"{path}/web.1", {"metadata": {"labels": {"a": "b"}}},
                                             "application/merge-patch+json")
    assert status == 200 and warnings == []
    # a status write keeps the spec and, when it leaves it out, the QoS class
    status, written = await api.put(f"{path}/web.1/status", {**updated, "spec": {"containers": []},
                                                              "status": {"phase": "Running"}})
    assert status == 200, written
    assert written["status"] == {"phase": "Running", "qosClass": "Burstable"}
    assert written["spec"]["containers"][0]["name"] == "c"
    status, body = await api.put(f"{path}/web.1/status", {**written, "status": {
        "qosClass": "Guaranteed", "podIPs": [{"ip": "10.0.0.300"}]}})
    assert status == 422 and [(c["field"], c["message"]) for c in body["details"]["causes"]] == [
        ("status.qosClass", 'Invalid value: "Guaranteed": field is immutable'),
        ("status.podIPs[0]", 'Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or '
                             '2001:db8::ffff)')]


async def test_pod_updates(api, new_ns):
    ns = await _namespace(api, new_ns)
    path = f"/api/v1/namespaces/{ns}/pods"
    status, _ = await api.post(path, {"metadata": {"name": "p"}, "spec": {
        "activeDeadlineSeconds": 30, "containers": [CONTAINER]}})
    assert status == 201
    status, body, _ = await _write(api, "PATCH", f"{path}/p", {"spec": {"activeDeadlineSeconds": 60}},
                                   "application/merge-patch+json")
    assert status == 422 and body["details"]["causes"] == [{
        "reason": "FieldValueInvalid", "field": "spec.activeDeadlineSeconds",
        "message": "Invalid value: 60: must be less than or equal to previous value"}]
    status, body, _ = await _write(api, "PATCH", f"{path}/p", [{"op": "add", "path": "/spec/containers/-",
                                                                "value": {"name": "d", "image": "x"}}],
                                   "application/json-patch+json")
    assert status == 422 and body["details"]["causes"] == [{
        "reason": "FieldValueForbidden", "field": "spec.containers",
        "message": "Forbidden: pod updates may not add or remove containers"}]


async def test_deployment_validation_generation_and_warnings(api, new_ns):
    ns = await _namespace(api, new_ns)
    path = f"/apis/apps/v1/namespaces/{ns}/deployments"
    causes = await _invalid(api, path, {"metadata": {"name": "d"}, "spec": {
        "selector": {"matchLabels": {}}, "strategy": {"type": "Blue"}, "minReadySeconds": 10,
        "progressDeadlineSeconds": 5, "template": _template({"a": "b"}, activeDeadlineSeconds=5)}})
    assert causes == [
        ("spec.selector", "Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, "
                          "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for "
                          "deployment"),
        ("spec.template.spec.activeDeadlineSeconds", "Forbidden: activeDeadlineSeconds in ReplicaSet is not "
                                                     "Supported"),
        ("spec.strategy", 'Unsupported value: apps.DeploymentStrategy{Type:"Blue", '
                          'RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", '
                          '"RollingUpdate"'),
        ("spec.progressDeadlineSeconds", "Invalid value: 5: must be greater than minReadySeconds"),
    ]
    deployment = {"metadata": {"name": "web.v1"}, "spec": {
        "selector": {"matchLabels": {"a": "b"}},
        "template": _template({"a": "b"}, nodeSelector={"failure-domain.beta.kubernetes.io/zone": "z"})}}
    status, created, warnings = await _write(api, "POST", path, deployment)
    assert status == 201, created
    assert warnings == _warnings(
        DNS_LABEL_WARNING.format("Pod names and hostnames"),
        "spec.template.spec.nodeSelector[failure-domain.beta.kubernetes.io/zone]: deprecated since v1.17; use "
        '"topology.kubernetes.io/zone" instead')
    assert created["metadata"]["generation"] == 1 and created["status"] == {}
    item = f"{path}/web.v1"
    # annotations are copied to the ReplicaSets: changing them is a new generation; status writes are not
    status, updated, warnings = await _write(api, "PATCH", item, {"metadata": {"annotations": {"x": "y"}}},
                                             "application/merge-patch+json")
    assert status == 200 and updated["metadata"]["generation"] == 2
    status, written = await api.put(f"{item}/status", {**updated, "status": {"replicas": 3}})
    assert status == 200 and written["metadata"]["generation"] == 2 and written["status"] == {"replicas": 3}
    status, body = await api.put(f"{item}/status", {**written, "status": {"replicas": 1, "readyReplicas": 2}})
    assert status == 422 and body["details"]["causes"] == [{
        "reason": "FieldValueInvalid", "field": "status.readyReplicas",
        "message": "Invalid value: 2: cannot be greater than status.replicas"}]
    # an update that changes the spec warns about the template again; the status given is not taken
    status, updated, warnings = await _write(api, "PATCH", item, {"spec": {"replicas": 2}, "status": {"replicas": 9}},
                                             "application/merge-patch+json")
    assert status == 200 and updated["metadata"]["generation"] == 3 and updated["status"] == {"replicas": 3}
    assert warnings == _warnings("spec.template.spec.nodeSelector[failure-domain.beta.kubernetes.io/zone]: "
                                 'deprecated since v1.17; use "topology.kubernetes.io/zone" instead')
    status, body, _ = await _write(api, "PATCH", item, {"spec": {"selector": {"matchLabels": {"a": "b", "c": "d"}},
                                                                 "template": {"metadata": {"labels": {"c": "d"}}}}},
                                   "application/merge-patch+json")
    assert status == 422 and body["details"]["causes"] == [{
        "reason": "FieldValueInvalid", "field": "spec.selector",
        "message": 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b", "c":"d"}, '
                   "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"}]


async def test_statefulsets_daemonsets_and_revisions(api, new_ns):
    ns = await _namespace(api, new_ns)
    apps = f"/apis/apps/v1/namespaces/{ns}"
    # 1.32 checks a StatefulSet's template metadata, not its pod spec; its name is a DNS label
    causes = await _invalid(api, f"{apps}/statefulsets", {"metadata": {"name": "db.1"}, "spec": {
        "selector": {"matchLabels": {"a": "b"}}, "template": _template({"a": "b"})}})
    assert causes == [("metadata.name", f'Invalid value: "db.1": {LABEL}')]
    status, created = await api.post(f"{apps}/statefulsets", {"metadata": {"name": "db"}, "spec": {
        "serviceName": "db", "selector": {"matchLabels": {"a": "b"}},
        "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": []}}}})
    assert status == 201, created
    status, body, _ = await _write(api, "PATCH", f"{apps}/statefulsets/db", {"spec": {"serviceName": "other"}},
                                   "application/merge-patch+json")
    assert status == 422 and body["details"]["causes"] == [{
        "reason": "FieldValueForbidden", "field": "spec",
        "message": "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                   "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"}]
    status, body, _ = await _write(api, "PATCH", f"{apps}/statefulsets/db", {"spec": {"replicas": 3}},
                                   "application/merge-patch+json")
    assert status == 200 and body["metadata"]["generation"] == 2
    # a DaemonSet's template generation is the server's, shown as kube shows it in v1
    ds = {"metadata": {"name": "agent"}, "spec": {"selector": {"matchLabels": {"a": "b"}},
                                                   "template": _template({"a": "b"})}}
    status, created = await api.post(f"{apps}/daemonsets", ds)
    assert status == 201, created
    assert created["metadata"]["annotations"] == {"deprecated.daemonset.template.generation": "1"}
    status, body, _ = await _write(api, "PATCH", f"{apps}/daemonsets/agent", {"spec": {"minReadySeconds": 5}},
                                   "application/merge-patch+json")
    assert body["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "1"
    assert body["metadata"]["generation"] == 2
    status, body, _ = await _write(api, "PATCH", f"{apps}/daemonsets/agent", {"spec": {"template": {"spec": {
        "containers": [{"name": "c", "image": "nginx:2"}]}}}}, "application/merge-patch+json")
    assert body["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "2"
    causes = await _invalid(api, f"{apps}/daemonsets", {"metadata": {"name": "x"}, "spec": {
        "selector": {"matchLabels": {"a": "b"}}, "template": _template({"a": "b"}),
        "updateStrategy": {"type": "Often"}}})
    assert causes == [("spec.updateStrategy", 'Unsupported value: apps.DaemonSetUpdateStrategy{Type:"Often", '
                                              'RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: '
                                              '"RollingUpdate", "OnDelete"')]
    causes = await _invalid(api, f"{apps}/controllerrevisions", {"metadata": {"name": "r"}, "revision": -1})
    assert causes == [("data", "Required value: data is mandatory"),
                      ("revision", "Invalid value: -1: must be greater than or equal to 0")]
    status, _ = await api.post(f"{apps}/controllerrevisions", {"metadata": {"name": "r"}, "revision": 1,
                                                                "data": {"a": 1}})
    assert status == 201
    status, body, _ = await _write(api, "PATCH", f"{apps}/controllerrevisions/r", {"data": {"a": 2}, "revision": 2},
                                   "application/merge-patch+json")
    assert status == 422 and [c["field"] for c in body["details"]["causes"]] == ["data"]
    assert body["details"]["causes"][0]["message"].endswith(": field is immutable")
    status, body, _ = await _write(api, "PATCH", f"{apps}/controllerrevisions/r", {"revision": 2},
                                   "application/merge-patch+json")
    assert status == 200 and body["revision"] == 2


async def test_jobs(api, new_ns):
    ns = await _namespace(api, new_ns)
    path = f"/apis/batch/v1/namespaces/{ns}/jobs"
    status, job = await api.post(path, {"metadata": {"name": "j"}, "spec": {
        "suspend": True, "template": _template({"app": "x"}, restartPolicy="Never")}})
    assert status == 201, job
    uid = job["metadata"]["uid"]
    assert job["metadata"]["labels"] == {"app": "x"}
    assert job["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert job["spec"]["template"]["metadata"]["labels"] == {
        "app": "x", "job-name": "j", "batch.kubernetes.io/job-name": "j", "controller-uid": uid,
        "batch.kubernetes.io/controller-uid": uid}
    assert job["spec"]["manualSelector"] is False and job["spec"]["podReplacementPolicy"] == "TerminatingOrFailed"
    # a suspended job that never started may still be told where to run; nothing else in its template changes
    status, body, _ = await _write(api, "PATCH", f"{path}/j", {"spec": {"template": {"spec": {
        "nodeSelector": {"disk": "ssd"}}}}}, "application/merge-patch+json")
    assert status == 200, body
    status, body, _ = await _write(api, "PATCH", f"{path}/j", {"spec": {"completions": 3, "template": {"spec": {
        "containers": [{"name": "c", "image": "nginx:2"}]}}}}, "application/merge-patch+json")
    assert status == 422
    assert [(c["field"], c["message"]) for c in body["details"]["causes"]] == [
        ("spec.completions", "Invalid value: 3: field is immutable"),
        ("spec.template", "Invalid value: core.PodTemplateSpec{...}: field is immutable")]
    # kube checks a job's spec twice on update: the causes repeat, the message says them once
    status, body, _ = await _write(api, "PATCH", f"{path}/j", {"spec": {"backoffLimit": -1}},
                                   "application/merge-patch+json")
    assert status == 422 and [c["field"] for c in body["details"]["causes"]] == ["spec.backoffLimit"] * 2
    assert body["message"] == ('Job.batch "j" is invalid: spec.backoffLimit: Invalid value: -1: must be greater '
                               "than or equal to 0")
    causes = await _invalid(api, path, {"metadata": {"name": "k"}, "spec": {
        "parallelism": -1, "completionMode": "Sometimes", "template": _template({})}})
    assert causes == [
        ("spec.parallelism", "Invalid value: -1: must be greater than or equal to 0"),
        ("spec.completionMode", 'Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"'),
        ("spec.template.spec.restartPolicy", 'Required value: valid values: "OnFailure", "Never"')]
    status, listed = await api.get(path, params={"fieldSelector": "status.successful=0"})
    assert status == 200 and [i["metadata"]["name"] for i in listed["items"]] == ["j"]


async def test_cronjobs(api, new_ns):
    ns = await _namespace(api, new_ns)
    path = f"/apis/batch/v1/namespaces/{ns}/cronjobs"
    job_template = {"spec": {"template": _template({}, restartPolicy="OnFailure")}}
    causes = await _invalid(api, path, {"metadata": {"name": "c" * 53}, "spec": {
        "schedule": "61 * * *", "timeZone": "Mars/Olympus", "concurrencyPolicy": "Sometimes",
        "jobTemplate": {"spec": {"selector": {"matchLabels": {"a": "b"}},
                                 "template": _template({"a": "b"}, restartPolicy="Never")}}}})
    assert causes == [
        ("spec.schedule", 'Invalid value: "61 * * *": expected exactly 5 fields, found 4: [61 * * *]'),
        ("spec.timeZone", 'Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus'),
        ("spec.concurrencyPolicy", 'Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"'),
        ("spec.jobTemplate.spec.selector", 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, '
                                           'MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be '
                                           'auto-generated'),
        ("metadata.name", f'Invalid value: "{"c" * 53}": must be no more than 52 characters')]
    causes = await _invalid(api, path, {"metadata": {"name": "tz"}, "spec": {
        "schedule": "CRON_TZ=UTC 0 * * * *", "jobTemplate": job_template}})
    assert causes == [("spec.schedule", 'Invalid value: "CRON_TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in '
                                        "schedule, use timeZone field instead")]
    status, created, warnings = await _write(api, "POST", path, {"metadata": {"name": "nightly.backup"}, "spec": {
        "schedule": "0 3 * * *", "timeZone": "Europe/Paris", "jobTemplate": job_template}})
    assert status == 201, created
    assert warnings == _warnings(DNS_LABEL_WARNING.format("Pod names and hostnames"))
    # the job template keeps the pod defaults only
    assert "backoffLimit" not in created["spec"]["jobTemplate"]["spec"]
    assert created["metadata"]["generation"] == 1


async def test_services_delete_answer_and_field_selectors(api, new_ns):
    ns = await _namespace(api, new_ns)
    path = f"/api/v1/namespaces/{ns}/services"
    for name, spec in (("a", {"ports": [{"port": 80}]}),
                       ("b", {"type": "NodePort", "ports": [{"port": 80}]}),
                       ("c", {"clusterIP": "None", "ports": [{"port": 80}]})):
        status, created = await api.post(path, {"metadata": {"name": name}, "spec": spec})
        assert status == 201, created
    status, listed = await api.get(path, params={"fieldSelector": "spec.type=NodePort"})
    assert status == 200 and [i["metadata"]["name"] for i in listed["items"]] == ["b"]
    status, listed = await api.get(path, params={"fieldSelector": "spec.clusterIP=None"})
    assert status == 200 and [i["metadata"]["name"] for i in listed["items"]] == ["c"]
    # switching to ClusterIP drops what only an externally reachable Service has
    status, body, _ = await _write(api, "PATCH", f"{path}/b", {"spec": {"type": "ClusterIP"}},
                                   "application/merge-patch+json")
    assert status == 200, body
    assert "externalTrafficPolicy" not in body["spec"] and "nodePort" not in body["spec"]["ports"][0]
    causes = await _invalid(api, path, {"metadata": {"name": "d"}, "spec": {
        "externalTrafficPolicy": "Local", "ports": [{"name": "x", "port": 80}, {"name": "y", "port": 80}]}})
    assert causes == [
        ("spec.ports[1]", 'Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), '
                          'Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}'),
        ("spec.externalTrafficPolicy", 'Invalid value: "Local": may only be set for externally-accessible services')]
    # the cluster IPs a Service holds never change; a client that sets only the singular field changes both
    status, body, _ = await _write(api, "PATCH", f"{path}/a", {"spec": {"clusterIP": "10.0.0.250"}},
                                   "application/merge-patch+json")
    assert status == 422 and body["details"]["causes"] == [{
        "reason": "FieldValueInvalid", "field": "spec.clusterIPs[0]",
        "message": 'Invalid value: []string{"10.0.0.250"}: may not change once set'}]
    # kube's Service storage answers a DELETE with the deleted Service
    status, deleted = await api.delete(f"{path}/a")
    assert status == 200 and deleted["kind"] == "Service" and deleted["metadata"]["name"] == "a"


async def test_replicaset_field_selector_and_template_rules(api, new_ns):
    ns = await _namespace(api, new_ns)
    path = f"/apis/apps/v1/namespaces/{ns}/replicasets"
    causes = await _invalid(api, path, {"metadata": {"name": "r"}, "spec": {
        "selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": {
            "containers": [{"name": "c", "image": "x", "ports": [{"containerPort": 80, "name": "Web"}]}]}}}})
    assert causes == [("spec.template.spec.containers[0].ports[0].name",
                       'Invalid value: "Web": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)')]
    status, _ = await api.post(path, {"metadata": {"name": "r"}, "spec": {
        "replicas": 0, "selector": {"matchLabels": {"a": "b"}}, "template": _template({"a": "b"})}})
    assert status == 201
    status, listed = await api.get(path, params={"fieldSelector": "status.replicas=0"})
    assert status == 200 and [i["metadata"]["name"] for i in listed["items"]] == ["r"]


async def test_autoscaler_status_and_delete_answers(api, new_ns):
    ns = await _namespace(api, new_ns)
    path = f"/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers"
    hpa = {"metadata": {"name": "h"}, "spec": {"maxReplicas": 3, "scaleTargetRef": {
        "apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}}, "status": {"desiredReplicas": 5}}
    status, created = await api.post(path, hpa)
    assert status == 201, created
    # the status given is not taken; v2 shows kube's zero status, v1 its own
    assert created["status"] == {"currentMetrics": None, "desiredReplicas": 0}
    status, v1 = await api.get(f"/apis/autoscaling/v1/namespaces/{ns}/horizontalpodautoscalers/h")
    assert status == 200 and v1["status"] == {"currentReplicas": 0, "desiredReplicas": 0}
    status, body = await api.put(f"{path}/h/status", {**created, "status": {"desiredReplicas": -1}})
    assert status == 422 and body["details"]["causes"] == [{
        "reason": "FieldValueInvalid", "field": "status.desiredReplicas",
        "message": "Invalid value: -1: must be greater than or equal to 0"}]
    status, written = await api.put(f"{path}/h/status", {**created, "spec": {**created["spec"], "maxReplicas": 9},
                                                         "status": {"desiredReplicas": 2, "currentReplicas": 1}})
    assert status == 200 and written["spec"]["maxReplicas"] == 3 and written["status"]["desiredReplicas"] == 2
    # kube's storage answers a pod's delete with the pod; the workloads and autoscalers answer a Success Status
    status, deleted = await api.delete(f"{path}/h")
    assert status == 200 and deleted["kind"] == "Status" and deleted["status"] == "Success"
    status, _ = await api.post(f"/apis/apps/v1/namespaces/{ns}/deployments", {"metadata": {"name": "web"}, "spec": {
        "selector": {"matchLabels": {"a": "b"}}, "template": _template({"a": "b"})}})
    assert status == 201
    status, deleted = await api.delete(f"/apis/apps/v1/namespaces/{ns}/deployments/web")
    assert status == 200 and deleted["kind"] == "Status" and deleted["details"]["name"] == "web"
    status, _ = await api.post(f"/api/v1/namespaces/{ns}/pods", {"metadata": {"name": "p"},
                                                                 "spec": {"containers": [CONTAINER]}})
    assert status == 201
    status, deleted = await api.delete(f"/api/v1/namespaces/{ns}/pods/p")
    assert status == 200 and deleted["kind"] == "Pod" and deleted["metadata"]["name"] == "p"
