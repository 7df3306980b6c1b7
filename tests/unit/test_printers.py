"""Server-side printing: kube-apiserver's columns and cell text for every resource of the catalogue."""
from __future__ import annotations

import datetime

import pytest

from apiserver.api.conversion import events as eventconversion
from apiserver.api.printing.columns import human_duration
from apiserver.api.printing.printers import COLUMNS
from apiserver.api.printing.tables import to_table
from apiserver.registry.catalogue import CATALOGUE


def _ago(seconds: int) -> str:
    then = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=seconds)
    return then.strftime("%Y-%m-%dT%H:%M:%SZ")


def cells(group: str, plural: str, obj: dict) -> dict:
    obj.setdefault("metadata", {}).setdefault("name", "x")
    obj["metadata"].setdefault("creationTimestamp", _ago(30))
    table = to_table(group, plural, [obj], {}, "None")
    return {c["name"]: v for c, v in zip(table["columnDefinitions"], table["rows"][0]["cells"], strict=True)}


def headers(group: str, plural: str, wide: bool = False) -> list[str]:
    table = to_table(group, plural, [], {}, "None")
    return [c["name"] for c in table["columnDefinitions"] if wide or c["priority"] == 0]


def test_every_catalogue_resource_has_columns():
    assert [(r.group, r.plural) for r in CATALOGUE if not r.virtual and (r.group, r.plural) not in COLUMNS] == []


@pytest.mark.parametrize("seconds, text", [(-1, "0s"), (-3, "<invalid>"), (5, "5s"), (125, "2m5s"),
                                           (3 * 3600 + 60, "3h1m"), (3 * 86400 + 3600, "3d1h")])
def test_human_duration_edges(seconds, text):
    assert human_duration(seconds) == text


def test_pod_status_ready_and_restarts():
    pod = {"spec": {"containers": [{"name": "a"}, {"name": "b"}]},
           "status": {"phase": "Running", "podIPs": [{"ip": "10.0.0.5"}], "containerStatuses": [
               {"name": "a", "ready": True, "restartCount": 2, "state": {"running": {}},
                "lastState": {"terminated": {"finishedAt": _ago(300)}}},
               {"name": "b", "ready": False, "restartCount": 3,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}
    got = cells("", "pods", pod)
    assert (got["Ready"], got["Status"], got["Restarts"]) == ("1/2", "CrashLoopBackOff", "5 (5m ago)")
    assert (got["IP"], got["Node"], got["Nominated Node"], got["Readiness Gates"]) == (
        "10.0.0.5", "<none>", "<none>", "<none>")


def test_pod_init_and_terminating_states():
    pod = {"spec": {"initContainers": [{"name": "i1"}, {"name": "i2"}], "containers": [{"name": "c"}],
                    "readinessGates": [{"conditionType": "x"}, {"conditionType": "y"}]},
           "status": {"phase": "Pending", "conditions": [{"type": "x", "status": "True"}],
                      "initContainerStatuses": [
                          {"name": "i1", "state": {"terminated": {"exitCode": 0}}},
                          {"name": "i2", "state": {"running": {}}}]}}
    got = cells("", "pods", pod)
    assert (got["Status"], got["Readiness Gates"]) == ("Init:1/2", "1/2")
    pod["status"]["initContainerStatuses"][1]["state"] = {"terminated": {"exitCode": 3}}
    assert cells("", "pods", pod)["Status"] == "Init:ExitCode:3"
    done = {"spec": {"containers": [{"name": "c"}]}, "metadata": {"deletionTimestamp": _ago(1)},
            "status": {"phase": "Running"}}
    assert cells("", "pods", done)["Status"] == "Terminating"
    done["status"]["phase"] = "Succeeded"
    assert cells("", "pods", done)["Status"] == "Succeeded"


def test_services_ports_and_addresses():
    svc = {"spec": {"type": "NodePort", "clusterIPs": ["10.96.0.10"], "selector": {"b": "2", "a": "1"},
                    "ports": [{"port": 80, "protocol": "TCP"},
                              {"port": 443, "nodePort": 30443, "protocol": "TCP"}]}}
    got = cells("", "services", svc)
    assert (got["Type"], got["Cluster-IP"], got["External-IP"], got["Port(s)"], got["Selector"]) == (
        "NodePort", "10.96.0.10", "<none>", "80/TCP,443:30443/TCP", "a=1,b=2")
    lb = {"spec": {"type": "LoadBalancer", "ports": []},
          "status": {"loadBalancer": {"ingress": [{"ip": "5.6.7.8"}, {"hostname": "a.example"}]}}}
    assert cells("", "services", lb)["External-IP"] == "5.6.7.8,a.example"
    assert cells("", "services", {"spec": {"type": "LoadBalancer"}})["External-IP"] == "<pending>"


def test_endpoints_with_more():
    ep = {"subsets": [{"addresses": [{"ip": f"10.0.0.{i}"} for i in range(5)], "ports": [{"port": 80}]}]}
    assert cells("", "endpoints", ep)["Endpoints"] == "10.0.0.0:80,10.0.0.1:80,10.0.0.2:80 + 2 more..."


def test_jobs_and_cronjobs():
    job = {"spec": {"completions": 3, "parallelism": 1},
           "status": {"succeeded": 3, "startTime": _ago(200), "completionTime": _ago(80),
                      "conditions": [{"type": "Complete", "status": "True"}]}}
    got = cells("batch", "jobs", job)
    assert (got["Status"], got["Completions"], got["Duration"]) == ("Complete", "3/3", "2m")
    assert cells("batch", "jobs", {"spec": {"parallelism": 4}})["Completions"] == "0/1 of 4"
    cron = {"spec": {"schedule": "*/5 * * * *", "suspend": False, "timeZone": "Etc/UTC"},
            "status": {"active": [{}], "lastScheduleTime": _ago(60)}}
    got = cells("batch", "cronjobs", cron)
    assert (got["Schedule"], got["Timezone"], got["Suspend"], got["Active"], got["Last Schedule"]) == (
        "*/5 * * * *", "Etc/UTC", "False", 1, "60s")


def test_nodes_pvcs_and_events():
    node = {"metadata": {"labels": {"node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "edge"}},
            "spec": {"unschedulable": True},
            "status": {"conditions": [{"type": "Ready", "status": "True"}], "nodeInfo": {"kubeletVersion": "v1.32.0"},
                       "addresses": [{"type": "InternalIP", "address": "192.168.0.2"}]}}
    got = cells("", "nodes", node)
    assert (got["Status"], got["Roles"], got["Version"], got["Internal-IP"], got["OS-Image"]) == (
        "Ready,SchedulingDisabled", "control-plane,edge", "v1.32.0", "192.168.0.2", "<unknown>")
    pvc = {"spec": {"volumeName": "pv1", "storageClassName": "fast"},
           "status": {"phase": "Bound", "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteMany",
                                                                                       "ReadWriteOnce"]}}
    got = cells("", "persistentvolumeclaims", pvc)
    assert [got[k] for k in ("Status", "Volume", "Capacity", "Access Modes", "StorageClass")] == [
        "Bound", "pv1", "1Gi", "RWO,RWX", "fast"]
    event = {"type": "Warning", "reason": "BackOff", "message": " restarting \n", "count": 4,
             "involvedObject": {"kind": "Pod", "name": "p", "fieldPath": "spec.containers{c}"},
             "source": {"component": "kubelet", "host": "n1"}, "firstTimestamp": _ago(600),
             "lastTimestamp": _ago(30)}
    got = cells("", "events", event)
    assert [got[k] for k in ("Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message",
                             "First Seen", "Count")] == [
        "30s", "Warning", "BackOff", "pod/p", "spec.containers{c}", "kubelet, n1", "restarting", "10m", 4]
    # an events.k8s.io/v1 Event prints from its stored (core/v1) shape, as kube prints its internal Event
    new_style = {"type": "Normal", "reason": "Scheduled", "note": "ok", "regarding": {"kind": "Pod", "name": "q"},
                 "eventTime": _ago(5).replace("Z", ".000000Z"), "reportingController": "sched",
                 "reportingInstance": "sched-1"}
    got = cells("events.k8s.io", "events", eventconversion.to_hub(new_style))
    assert [got[k] for k in ("Last Seen", "Object", "Source", "Message", "Count")] == [
        "5s", "pod/q", "sched, sched-1", "ok", 1]
    series = {**new_style, "series": {"count": 3, "lastObservedTime": _ago(2).replace("Z", ".000000Z")}}
    got = cells("events.k8s.io", "events", eventconversion.to_hub(series))
    assert [got[k] for k in ("Last Seen", "First Seen", "Count")] == ["2s", "5s", 3]


def test_rbac_bindings_leases_and_default_tables():
    binding = {"roleRef": {"kind": "ClusterRole", "name": "view"},
               "subjects": [{"kind": "User", "name": "u"}, {"kind": "Group", "name": "g"},
                            {"kind": "ServiceAccount", "name": "sa", "namespace": "ns"}]}
    got = cells("rbac.authorization.k8s.io", "rolebindings", binding)
    assert [got[k] for k in ("Role", "Users", "Groups", "ServiceAccounts")] == ["ClusterRole/view", "u", "g",
                                                                                 "ns/sa"]
    assert headers("rbac.authorization.k8s.io", "rolebindings") == ["Name", "Role", "Age"]
    assert cells("coordination.k8s.io", "leases", {"spec": {"holderIdentity": "me"}})["Holder"] == "me"
    role = {"metadata": {"creationTimestamp": "2024-03-01T10:00:00Z"}}
    assert cells("rbac.authorization.k8s.io", "clusterroles", role) == {"Name": "x",
                                                                        "Created At": "2024-03-01T10:00:00Z"}


def test_new_kinds():
    rc = {"spec": {"replicas": 3, "selector": {"app": "w"},
                   "template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
          "status": {"replicas": 2, "readyReplicas": 1}}
    assert list(cells("", "replicationcontrollers", rc).values())[1:4] == [3, 2, 1]
    assert cells("", "replicationcontrollers", rc)["Selector"] == "app=w"
    hpa = {"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": 5,
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                        "type": "Utilization", "averageUtilization": 80}}}]},
           "status": {"currentReplicas": 2}}
    got = cells("autoscaling", "horizontalpodautoscalers", hpa)
    assert [got[k] for k in ("Reference", "Targets", "MinPods", "MaxPods", "Replicas")] == [
        "Deployment/web", "cpu: <unknown>/80%", "1", 5, 2]
    revision = {"metadata": {"ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "ds",
                                                  "controller": True}]}, "revision": 4}
    assert cells("apps", "controllerrevisions", revision)["Controller"] == "daemonset.apps/ds"
    csr = {"spec": {"signerName": "kubernetes.io/kube-apiserver-client", "username": "alice",
                    "expirationSeconds": 86400},
           "status": {"conditions": [{"type": "Approved", "status": "True"}], "certificate": "Y2VydA=="}}
    got = cells("certificates.k8s.io", "certificatesigningrequests", csr)
    assert [got[k] for k in ("SignerName", "Requestor", "RequestedDuration", "Condition")] == [
        "kubernetes.io/kube-apiserver-client", "alice", "24h", "Approved,Issued"]
    ic = {"spec": {"controller": "example.com/ic", "parameters": {"apiGroup": "k8s.example.com", "kind": "P",
                                                                  "name": "p"}}}
    assert cells("networking.k8s.io", "ingressclasses", ic)["Parameters"] == "P.k8s.example.com/p"
    assert headers("storage.k8s.io", "csidrivers") == ["Name", "AttachRequired", "PodInfoOnMount",
                                                       "StorageCapacity", "TokenRequests", "RequiresRepublish",
                                                       "Modes", "Age"]
    assert headers("", "podtemplates") == ["Name", "Containers", "Images", "Pod Labels"]
