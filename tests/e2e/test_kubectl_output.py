"""The real kubectl's everyday commands, with the lines it prints from the server's data checked exactly.

Age cells are the only ones that depend on the clock; rows are compared with them masked.
"""
from __future__ import annotations

import json
import re
import uuid

import pytest
import yaml

from tests.csr_tools import csr_request
from tests.polling import eventually_sync

AGE = re.compile(r"^(\d+s|\d+m\d*s?|\d+h\d*m?)$")


def rows(out: str) -> list[list[str]]:
    """kubectl's table as rows of cells (split on its column padding), ages replaced by "AGE"."""
    return [["AGE" if AGE.match(cell) else cell for cell in re.split(r"\s{2,}", line.strip())]
            for line in out.strip().splitlines()]


@pytest.fixture
def ns(kubectl):  # noqa: F811
    name = f"out-{uuid.uuid4().hex[:6]}"
    kubectl("create", "ns", name)
    return name


def apply(kubectl, tmp_path, doc: dict) -> None:  # noqa: F811
    path = tmp_path / f"{uuid.uuid4().hex[:6]}.yaml"
    path.write_text(yaml.safe_dump(doc))
    kubectl("apply", "-f", str(path))


def test_api_resources_and_versions(kubectl):  # noqa: F811
    out = kubectl("api-resources", "--api-group=certificates.k8s.io").stdout
    assert rows(out) == [["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"],
                         ["certificatesigningrequests", "csr", "certificates.k8s.io/v1", "false",
                          "CertificateSigningRequest"]]
    out = kubectl("api-resources", "--api-group=storage.k8s.io", "-o", "name").stdout
    assert out.split() == ["csidrivers.storage.k8s.io", "csinodes.storage.k8s.io",
                           "csistoragecapacities.storage.k8s.io", "storageclasses.storage.k8s.io",
                           "volumeattachments.storage.k8s.io"]
    core = {r[0]: r for r in rows(kubectl("api-resources", "--api-group=").stdout)}
    assert core["replicationcontrollers"] == ["replicationcontrollers", "rc", "v1", "true", "ReplicationController"]
    assert core["podtemplates"] == ["podtemplates", "v1", "true", "PodTemplate"]
    all_names = {r[0] for r in rows(kubectl("api-resources").stdout)}
    assert {"horizontalpodautoscalers", "controllerrevisions", "ingressclasses", "runtimeclasses"} <= all_names
    versions = kubectl("api-versions").stdout.split()
    assert {"v1", "apps/v1", "autoscaling/v2", "certificates.k8s.io/v1", "node.k8s.io/v1",
            "storage.k8s.io/v1"} <= set(versions)
    assert versions == sorted(versions)


def test_get_output_formats(kubectl, ns, tmp_path):  # noqa: F811
    kubectl("-n", ns, "create", "deployment", "web", "--image=nginx:1.27", "--replicas=2")
    assert rows(kubectl("-n", ns, "get", "deploy").stdout) == [
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], ["web", "0/2", "0", "0", "AGE"]]
    assert rows(kubectl("-n", ns, "get", "deploy", "-o", "wide").stdout) == [
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"],
        ["web", "0/2", "0", "0", "AGE", "nginx", "nginx:1.27", "app=web"]]
    as_json = json.loads(kubectl("-n", ns, "get", "deploy", "web", "-o", "json").stdout)
    as_yaml = yaml.safe_load(kubectl("-n", ns, "get", "deploy", "web", "-o", "yaml").stdout)
    assert as_json == as_yaml and as_json["spec"]["replicas"] == 2
    assert kubectl("-n", ns, "get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"
                   ).stdout == "nginx:1.27"
    out = kubectl("-n", ns, "get", "deploy", "-o",
                  "custom-columns=NAME:.metadata.name,REPLICAS:.spec.replicas,STRATEGY:.spec.strategy.type").stdout
    assert rows(out) == [["NAME", "REPLICAS", "STRATEGY"], ["web", "2", "RollingUpdate"]]
    listing = json.loads(kubectl("-n", ns, "get", "deploy", "-o", "json").stdout)
    assert listing["kind"] == "List" and [i["metadata"]["name"] for i in listing["items"]] == ["web"]


def test_pod_columns_from_status(kubectl, ns, tmp_path):  # noqa: F811
    apply(kubectl, tmp_path, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": ns},
                              "spec": {"containers": [{"name": "a", "image": "nginx"},
                                                      {"name": "b", "image": "busybox"}],
                                       "readinessGates": [{"conditionType": "example.com/ready"}]}})
    assert rows(kubectl("-n", ns, "get", "pods").stdout) == [
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE"], ["p", "0/2", "Pending", "0", "AGE"]]
    status = {"status": {"phase": "Running", "podIP": "10.1.2.3", "podIPs": [{"ip": "10.1.2.3"}],
                         "conditions": [{"type": "example.com/ready", "status": "True"}],
                         "containerStatuses": [
                             {"name": "a", "ready": True, "restartCount": 0, "image": "nginx", "imageID": "",
                              "state": {"running": {"startedAt": "2024-01-01T00:00:00Z"}}},
                             {"name": "b", "ready": False, "restartCount": 3, "image": "busybox", "imageID": "",
                              "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}
    kubectl("-n", ns, "patch", "pod", "p", "--subresource=status", "--type=merge", "-p", json.dumps(status))
    assert rows(kubectl("-n", ns, "get", "pods", "-o", "wide").stdout) == [
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"],
        ["p", "1/2", "CrashLoopBackOff", "3", "AGE", "10.1.2.3", "<none>", "<none>", "1/1"]]


def test_services_events_and_rbac_columns(kubectl, ns, tmp_path):  # noqa: F811
    apply(kubectl, tmp_path, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "np", "namespace": ns},
                              "spec": {"type": "NodePort", "selector": {"app": "web"},
                                       "ports": [{"name": "http", "port": 80},
                                                 {"name": "https", "port": 443, "nodePort": 30443}]}})
    header, row = rows(kubectl("-n", ns, "get", "svc", "np", "-o", "wide").stdout)
    assert header == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"]
    assert [row[0], row[1], row[3], row[5], row[6]] == ["np", "NodePort", "<none>", "AGE", "app=web"]
    assert row[4].startswith("80") and row[4].endswith(",443:30443/TCP")
    apply(kubectl, tmp_path, {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1", "namespace": ns},
                              "involvedObject": {"kind": "Pod", "name": "p", "namespace": ns},
                              "type": "Warning", "reason": "BackOff", "message": "Back-off restarting",
                              "firstTimestamp": "2024-01-01T00:00:00Z", "lastTimestamp": "2024-01-01T00:00:00Z",
                              "count": 2, "source": {"component": "kubelet"}})
    header, row = rows(kubectl("-n", ns, "get", "events").stdout)
    assert header == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert row[1:] == ["Warning", "BackOff", "pod/p", "Back-off restarting"]
    kubectl("-n", ns, "create", "rolebinding", "rb", "--clusterrole=view", "--user=alice",
            f"--serviceaccount={ns}:robot")
    assert rows(kubectl("-n", ns, "get", "rolebindings", "-o", "wide").stdout) == [
        ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"],
        ["rb", "ClusterRole/view", "AGE", "alice", f"{ns}/robot"]]
    kubectl("-n", ns, "create", "role", "r", "--verb=get", "--resource=pods")
    header, row = rows(kubectl("-n", ns, "get", "roles").stdout)
    assert header == ["NAME", "CREATED AT"] and row[0] == "r" and re.match(r"\d{4}-\d\d-\d\dT", row[1])


def test_jobs_cronjobs_and_leases(kubectl, ns):  # noqa: F811
    kubectl("-n", ns, "create", "job", "j", "--image=busybox")
    assert rows(kubectl("-n", ns, "get", "jobs").stdout) == [
        ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"], ["j", "Running", "0/1", "AGE"]]
    kubectl("-n", ns, "create", "cronjob", "cj", "--image=busybox", "--schedule=*/5 * * * *")
    assert rows(kubectl("-n", ns, "get", "cronjobs").stdout) == [
        ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"],
        ["cj", "*/5 * * * *", "<none>", "False", "0", "<none>", "AGE"]]

    def leader_listed() -> bool:
        # the leader's lease is written once leader election has run, which may be after the replica is ready
        header, *leases = rows(kubectl("-n", "kube-system", "get", "leases").stdout)
        assert header == ["NAME", "HOLDER", "AGE"]
        return any(r[0] == "kube-apiserver-leader" and r[1] for r in leases)

    eventually_sync(leader_listed, interval=0.5)


def test_scale_rc_and_get_all(kubectl, ns, tmp_path):  # noqa: F811
    apply(kubectl, tmp_path, {"apiVersion": "v1", "kind": "ReplicationController",
                              "metadata": {"name": "rc", "namespace": ns},
                              "spec": {"replicas": 1, "template": {"metadata": {"labels": {"app": "rc"}}, "spec": {
                                  "containers": [{"name": "c", "image": "nginx:1.27"}]}}}})
    assert kubectl("-n", ns, "scale", "rc", "rc", "--replicas=3").stdout.strip() == \
        "replicationcontroller/rc scaled"
    assert rows(kubectl("-n", ns, "get", "rc", "-o", "wide").stdout) == [
        ["NAME", "DESIRED", "CURRENT", "READY", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"],
        ["rc", "3", "0", "0", "AGE", "c", "nginx:1.27", "app=rc"]]
    assert kubectl("-n", ns, "scale", "rc", "rc", "--current-replicas=2", "--replicas=5", check=False
                   ).returncode == 1
    apply(kubectl, tmp_path, {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                              "metadata": {"name": "h", "namespace": ns},
                              "spec": {"scaleTargetRef": {"apiVersion": "v1", "kind": "ReplicationController",
                                                          "name": "rc"}, "maxReplicas": 4}})
    out = kubectl("get", "all", "-n", ns).stdout
    blocks = [rows(block) for block in out.strip().split("\n\n")]
    assert ["NAME", "DESIRED", "CURRENT", "READY", "AGE"] in [b[0] for b in blocks]
    assert ["replicationcontroller/rc", "3", "0", "0", "AGE"] in [r for b in blocks for r in b]
    assert ["horizontalpodautoscaler.autoscaling/h", "ReplicationController/rc", "cpu: <unknown>/80%", "1", "4",
            "0", "AGE"] in [r for b in blocks for r in b]
    everywhere = kubectl("get", "all", "-A").stdout
    assert f"{ns}   replicationcontroller/rc" in everywhere.replace("\t", "   ")


def test_annotate_label_patch_and_edit(kubectl, ns, tmp_path):  # noqa: F811
    kubectl("-n", ns, "create", "configmap", "c", "--from-literal=a=1")
    assert kubectl("-n", ns, "annotate", "cm", "c", "note=hello").stdout.strip() == "configmap/c annotated"
    assert kubectl("-n", ns, "label", "cm", "c", "tier=web").stdout.strip() == "configmap/c labeled"
    assert kubectl("-n", ns, "label", "cm", "c", "tier=db", check=False).returncode == 1
    assert kubectl("-n", ns, "label", "cm", "c", "tier=db", "--overwrite").stdout.strip() == "configmap/c labeled"
    assert kubectl("-n", ns, "patch", "cm", "c", "--type=merge", "-p", '{"data":{"b":"2"}}').stdout.strip() == \
        "configmap/c patched"
    kubectl("-n", ns, "patch", "cm", "c", "--type=json", "-p", '[{"op":"remove","path":"/data/a"}]')
    assert kubectl("-n", ns, "patch", "cm", "c", "--type=merge", "-p", '{"data":{"b":"2"}}').stdout.strip() == \
        "configmap/c patched (no change)"
    kubectl("-n", ns, "create", "deployment", "d", "--image=nginx:1.26")
    kubectl("-n", ns, "patch", "deployment", "d", "--type=strategic", "-p",
            '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}')
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/^  replicas: 1$/  replicas: 4/' \"$1\"\n")
    editor.chmod(0o755)
    out = kubectl("-n", ns, "edit", "deployment", "d", env={"EDITOR": str(editor)}).stdout.strip()
    assert out == "deployment.apps/d edited"
    got = json.loads(kubectl("-n", ns, "get", "deployment", "d", "-o", "json").stdout)
    assert got["spec"]["replicas"] == 4
    assert [c["image"] for c in got["spec"]["template"]["spec"]["containers"]] == ["nginx:1.27"]
    cm = json.loads(kubectl("-n", ns, "get", "cm", "c", "-o", "json").stdout)
    assert (cm["data"], cm["metadata"]["labels"], cm["metadata"]["annotations"]["note"]) == (
        {"b": "2"}, {"tier": "db"}, "hello")
    assert kubectl("-n", ns, "annotate", "cm", "c", "note-").stdout.strip() == "configmap/c annotated"


def test_describe(kubectl, ns, tmp_path):  # noqa: F811
    kubectl("-n", ns, "create", "deployment", "web", "--image=nginx:1.27", "--replicas=2")
    apply(kubectl, tmp_path, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": ns,
                                                                              "labels": {"app": "p"}},
                              "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}})
    apply(kubectl, tmp_path, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": ns},
                              "spec": {"selector": {"app": "p"}, "ports": [{"port": 80, "targetPort": 8080}]}})
    pod = kubectl("-n", ns, "describe", "pod", "p").stdout
    assert re.search(r"^Name:\s+p$", pod, re.M) and re.search(rf"^Namespace:\s+{ns}$", pod, re.M)
    assert re.search(r"^Status:\s+Pending$", pod, re.M) and re.search(r"^\s+Image:\s+nginx:1.27$", pod, re.M)
    assert re.search(r"^QoS Class:\s+BestEffort$", pod, re.M)
    deploy = kubectl("-n", ns, "describe", "deployment", "web").stdout
    assert re.search(r"^Replicas:\s+2 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable$", deploy,
                     re.M)
    assert re.search(r"^StrategyType:\s+RollingUpdate$", deploy, re.M)
    assert re.search(r"^Selector:\s+app=web$", deploy, re.M)
    svc = kubectl("-n", ns, "describe", "service", "s").stdout
    assert re.search(r"^Selector:\s+app=p$", svc, re.M) and re.search(r"^TargetPort:\s+8080/TCP$", svc, re.M)
    namespace = kubectl("describe", "namespace", ns).stdout
    assert re.search(rf"^Name:\s+{ns}$", namespace, re.M) and re.search(r"^Status:\s+Active$", namespace, re.M)
    assert "No resource quota." in namespace and "No LimitRange resource." in namespace


def test_new_kinds_print_and_explain(kubectl, ns, tmp_path):  # noqa: F811
    name = f"{ns}-csr"
    apply(kubectl, tmp_path, {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
                              "metadata": {"name": name},
                              "spec": {"request": csr_request(), "signerName": "example.com/signer",
                                       "expirationSeconds": 3 * 86400, "usages": ["client auth"]}})
    assert rows(kubectl("get", "csr", name).stdout) == [
        ["NAME", "AGE", "SIGNERNAME", "REQUESTOR", "REQUESTEDDURATION", "CONDITION"],
        [name, "AGE", "example.com/signer", "kubernetes-admin", "3d", "Pending"]]
    assert kubectl("certificate", "approve", name).stdout.strip() == \
        f"certificatesigningrequest.certificates.k8s.io/{name} approved"
    assert rows(kubectl("get", "csr", name).stdout)[1][-1] == "Approved"
    apply(kubectl, tmp_path, {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
                              "metadata": {"name": f"{ns}-ic"}, "spec": {"controller": "example.com/ic"}})
    assert rows(kubectl("get", "ingressclass", f"{ns}-ic").stdout) == [
        ["NAME", "CONTROLLER", "PARAMETERS", "AGE"], [f"{ns}-ic", "example.com/ic", "<none>", "AGE"]]
    apply(kubectl, tmp_path, {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass",
                              "metadata": {"name": f"{ns}-rt"}, "handler": "runc"})
    assert rows(kubectl("get", "runtimeclass", f"{ns}-rt").stdout) == [
        ["NAME", "HANDLER", "AGE"], [f"{ns}-rt", "runc", "AGE"]]
    apply(kubectl, tmp_path, {"apiVersion": "storage.k8s.io/v1", "kind": "CSIDriver",
                              "metadata": {"name": f"{ns}.csi.example.com"}, "spec": {}})
    assert rows(kubectl("get", "csidriver", f"{ns}.csi.example.com").stdout) == [
        ["NAME", "ATTACHREQUIRED", "PODINFOONMOUNT", "STORAGECAPACITY", "TOKENREQUESTS", "REQUIRESREPUBLISH",
         "MODES", "AGE"], [f"{ns}.csi.example.com", "true", "false", "false", "<unset>", "false", "Persistent", "AGE"]]
    apply(kubectl, tmp_path, {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "pt", "namespace": ns},
                              "template": {"metadata": {"labels": {"app": "pt"}},
                                           "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}})
    assert rows(kubectl("-n", ns, "get", "podtemplates").stdout) == [
        ["NAME", "CONTAINERS", "IMAGES", "POD LABELS"], ["pt", "c", "nginx:1.27", "app=pt"]]
    apply(kubectl, tmp_path, {"apiVersion": "v1", "kind": "ReplicationController",
                              "metadata": {"name": "rc", "namespace": ns},
                              "spec": {"template": {"metadata": {"labels": {"app": "rc"}}, "spec": {
                                  "containers": [{"name": "c", "image": "nginx:1.27"}]}}}})
    described = kubectl("-n", ns, "describe", "rc", "rc").stdout
    assert re.search(r"^Replicas:\s+0 current / 1 desired$", described, re.M)
    assert "FIELD: maxReplicas <integer>" in kubectl("explain", "hpa.spec.maxReplicas").stdout


def _sweep_manifests(ns: str) -> list[dict]:
    meta = {"name": "x", "namespace": ns}
    cluster = {"name": f"{ns}-x"}
    template = {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    selector = {"matchLabels": {"app": "x"}}
    return [
        {"apiVersion": "v1", "kind": "Node", "metadata": cluster},
        {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": cluster,
         "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/tmp"}}},
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta,
         "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}},
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": meta, "spec": {"hard": {"pods": "10"}}},
        {"apiVersion": "v1", "kind": "LimitRange", "metadata": meta,
         "spec": {"limits": [{"type": "Container", "default": {"cpu": "100m"}}]}},
        {"apiVersion": "v1", "kind": "Endpoints", "metadata": meta,
         "subsets": [{"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80}]}]},
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta,
         "spec": {"selector": selector, "serviceName": "x", "template": template}},
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta, "spec": {"selector": selector,
                                                                                  "template": template}},
        {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": meta, "revision": 1, "data": {}},
        {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta,
         "spec": {"schedule": "@hourly", "jobTemplate": {"spec": {"template": {
             "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}}},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta,
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "x"},
                  "maxReplicas": 3}},
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta,
         "spec": {"minAvailable": 1, "selector": selector}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta,
         "spec": {"rules": [{"host": "x.example.com"}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta,
         "spec": {"podSelector": selector}},
        {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": meta, "addressType": "IPv4",
         "endpoints": [{"addresses": ["10.0.0.1"]}], "ports": [{"port": 80}]},
        {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": cluster,
         "provisioner": "example.com/p"},
        {"apiVersion": "storage.k8s.io/v1", "kind": "CSINode", "metadata": cluster, "spec": {"drivers": []}},
        {"apiVersion": "storage.k8s.io/v1", "kind": "CSIStorageCapacity", "metadata": meta,
         "storageClassName": "standard", "capacity": "10Gi"},
        {"apiVersion": "storage.k8s.io/v1", "kind": "VolumeAttachment", "metadata": cluster,
         "spec": {"attacher": "p.example.com", "nodeName": "node-1", "source": {"persistentVolumeName": "pv"}}},
        {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": cluster, "value": 100},
        {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": meta, "spec": {"holderIdentity": "me"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": cluster, "rules": []},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": cluster,
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": f"{ns}-x"},
         "subjects": [{"kind": "Group", "name": "g", "apiGroup": "rbac.authorization.k8s.io"}]},
    ]


def test_every_kind_prints_and_describes(kubectl, ns, tmp_path):  # noqa: F811
    manifests = _sweep_manifests(ns)
    path = tmp_path / "all.yaml"
    path.write_text(yaml.safe_dump_all(manifests))
    kubectl("apply", "-f", str(path))
    for doc in manifests:
        kind, name = doc["kind"].lower(), doc["metadata"]["name"]
        scope = ["-n", ns] if "namespace" in doc["metadata"] else []
        header, row = rows(kubectl(*scope, "get", kind, name, "-o", "wide").stdout)
        assert header[0] == "NAME" and row[0].startswith(name), (kind, header, row)
        described = kubectl(*scope, "describe", kind, name).stdout
        assert re.search(rf"^Name:\s+{re.escape(name)}$", described, re.M), (kind, described)
