"""Defaults applied as kube-apiserver applies them, and fields that cannot change once set."""
from __future__ import annotations

from tests.integration.conftest import make_namespace


async def test_pod_defaults(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "image": "nginx"},
                                                              {"name": "b", "image": "nginx:1.27",
                                                               "ports": [{"containerPort": 80}]}]}}
    _, created = await api.post(f"/api/v1/namespaces/{ns}/pods", pod)
    spec = created["spec"]
    assert (spec["restartPolicy"], spec["dnsPolicy"], spec["terminationGracePeriodSeconds"],
            spec["schedulerName"], spec["serviceAccountName"]) == ("Always", "ClusterFirst", 30,
                                                                   "default-scheduler", "default")
    # kube's v1 conversion writes the deprecated alias as a copy of serviceAccountName
    assert spec["serviceAccount"] == "default"
    a, b = spec["containers"]
    assert a["imagePullPolicy"] == "Always" and b["imagePullPolicy"] == "IfNotPresent"
    assert a["terminationMessagePath"] == "/dev/termination-log" and a["terminationMessagePolicy"] == "File"
    assert b["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert created["status"] == {"phase": "Pending", "qosClass": "BestEffort"}


async def test_deployment_and_service_defaults(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    deploy = {"metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"a": "b"}},
                                                  "template": {"metadata": {"labels": {"a": "b"}},
                                                               "spec": {"containers": [{"name": "c",
                                                                                        "image": "x:1"}]}}}}
    _, created = await api.post(f"/apis/apps/v1/namespaces/{ns}/deployments", deploy)
    spec = created["spec"]
    assert spec["replicas"] == 1 and spec["revisionHistoryLimit"] == 10 and spec["progressDeadlineSeconds"] == 600
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%",
                                                                          "maxSurge": "25%"}}
    assert spec["template"]["spec"]["restartPolicy"] == "Always"
    svc = {"metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}], "clusterIP": "None"}}
    _, created = await api.post(f"/api/v1/namespaces/{ns}/services", svc)
    assert created["spec"]["type"] == "ClusterIP" and created["spec"]["sessionAffinity"] == "None"
    assert created["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    created["spec"]["clusterIP"] = "198.51.100.9"
    status, body = await api.put(f"/api/v1/namespaces/{ns}/services/s", created)
    assert status == 422 and body["details"]["causes"][0]["field"] == "spec.clusterIPs[0]"
    assert body["message"].endswith("may not change once set")


async def test_deprecated_service_account_alias(api, new_ns):
    """kube's v1 PodSpec conversion: `serviceAccount` alone names the account; written back, it follows
    serviceAccountName, in pods and in templates alike."""
    ns = new_ns()
    await make_namespace(api, ns)
    template = {"metadata": {"labels": {"a": "b"}}, "spec": {"serviceAccount": "old-name",
                                                            "containers": [{"name": "c", "image": "x:1"}]}}
    deploy = {"metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": template}}
    status, created = await api.post(f"/apis/apps/v1/namespaces/{ns}/deployments", deploy)
    assert status == 201, created
    spec = created["spec"]["template"]["spec"]
    assert (spec["serviceAccountName"], spec["serviceAccount"]) == ("old-name", "old-name")
    created["spec"]["template"]["spec"]["serviceAccountName"] = "new-name"
    status, updated = await api.put(f"/apis/apps/v1/namespaces/{ns}/deployments/d", created)
    assert status == 200, updated
    spec = updated["spec"]["template"]["spec"]
    assert (spec["serviceAccountName"], spec["serviceAccount"]) == ("new-name", "new-name")
