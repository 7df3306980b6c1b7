"""ResourceQuota: the controller counts what a namespace uses, admission charges each create against the quotas
and refuses what passes a hard limit (kube's messages), and two replicas admitting at once never pass one."""
from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.integration.conftest import Api, configmap, make_namespace, root_ca_published
from tests.polling import eventually


def _pod(name: str, requests: dict | None = None, limits: dict | None = None, **spec) -> dict:
    resources = {}
    if requests:
        resources["requests"] = requests
    if limits:
        resources["limits"] = limits
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "x", "resources": resources}], **spec}}


def _service(name: str, kind: str = "ClusterIP") -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"type": kind, "ports": [{"port": 80}]}}


def _claim(name: str, storage: str, storage_class: str | None = None) -> dict:
    spec: dict = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": storage}}}
    if storage_class:
        spec["storageClassName"] = storage_class
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name}, "spec": spec}


async def _quota(api: Api, ns: str, hard: dict, name: str = "q", **spec) -> dict:
    """Creates the quota and waits for the controller's first count."""
    status, body = await api.post(f"/api/v1/namespaces/{ns}/resourcequotas",
                                  {"metadata": {"name": name}, "spec": {"hard": hard, **spec}})
    assert status == 201, body

    async def counted():
        status, quota = await api.get(f"/api/v1/namespaces/{ns}/resourcequotas/{name}")
        assert status == 200, quota
        used = (quota.get("status") or {}).get("used") or {}
        return set(used) == set(hard) and quota
    return await eventually(counted, what=f"quota {name}'s first count")


async def _used(api: Api, ns: str, name: str = "q") -> dict:
    status, quota = await api.get(f"/api/v1/namespaces/{ns}/resourcequotas/{name}")
    assert status == 200, quota
    return quota["status"]["used"]


async def _namespace(api: Api, new_ns) -> str:
    """A new namespace holding what every namespace holds: its kube-root-ca.crt ConfigMap (one configmap counted)."""
    ns = new_ns()
    await make_namespace(api, ns)
    await root_ca_published(api, ns)
    return ns


def _refused(status: int, body: dict, resource: str, name: str, why: str) -> None:
    assert status == 403, body
    assert body["reason"] == "Forbidden"
    assert body["message"] == f'{resource} "{name}" is forbidden: {why}'


async def test_a_new_quota_is_counted_with_what_the_namespace_holds(api, new_ns):
    ns = await _namespace(api, new_ns)
    for name in ("a", "b"):
        status, body = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap(name))
        assert status == 201, body
    quota = await _quota(api, ns, {"configmaps": "5", "count/configmaps": "5", "secrets": "3"})
    assert quota["status"]["hard"] == {"configmaps": "5", "count/configmaps": "5", "secrets": "3"}
    assert quota["status"]["used"] == {"configmaps": "3", "count/configmaps": "3", "secrets": "0"}


async def test_pods_count_is_enforced_and_charged(api, new_ns):
    ns = await _namespace(api, new_ns)
    await _quota(api, ns, {"pods": "2"})
    for name in ("p1", "p2"):
        status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", _pod(name))
        assert status == 201, body
    assert (await _used(api, ns))["pods"] == "2"
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("p3"))
    _refused(status, body, "pods", "p3", "exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2")


async def test_object_counts_by_group(api, new_ns):
    ns = await _namespace(api, new_ns)
    await _quota(api, ns, {"count/deployments.apps": "0", "count/configmaps": "2"})
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                  "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
                      "metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}}}
    status, body = await api.post(f"/apis/apps/v1/namespaces/{ns}/deployments", deployment)
    _refused(status, body, "deployments.apps", "d", "exceeded quota: q, requested: count/deployments.apps=1, "
                                                    "used: count/deployments.apps=0, limited: count/deployments.apps=0")
    status, body = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("one"))
    assert status == 201, body
    status, body = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("two"))
    _refused(status, body, "configmaps", "two", "exceeded quota: q, requested: count/configmaps=1, "
                                                "used: count/configmaps=2, limited: count/configmaps=2")


async def test_compute_resources_are_summed_and_enforced(api, new_ns):
    ns = await _namespace(api, new_ns)
    await _quota(api, ns, {"requests.cpu": "1", "requests.memory": "1Gi", "limits.cpu": "2", "limits.memory": "2Gi"})
    fits = _pod("a", requests={"cpu": "600m", "memory": "512Mi"}, limits={"cpu": "1", "memory": "1Gi"})
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", fits)
    assert status == 201, body
    assert await _used(api, ns) == {"requests.cpu": "600m", "requests.memory": "512Mi", "limits.cpu": "1",
                                    "limits.memory": "1Gi"}
    over = _pod("b", requests={"cpu": "500m", "memory": "256Mi"}, limits={"cpu": "1", "memory": "1Gi"})
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", over)
    _refused(status, body, "pods", "b", "exceeded quota: q, requested: requests.cpu=500m, used: requests.cpu=600m, "
                                        "limited: requests.cpu=1")


async def test_a_quota_on_cpu_or_memory_needs_every_container_to_name_it(api, new_ns):
    ns = await _namespace(api, new_ns)
    await _quota(api, ns, {"limits.cpu": "2", "requests.memory": "1Gi"})
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("bare"))
    _refused(status, body, "pods", "bare", "failed quota: q: must specify limits.cpu for: c; requests.memory for: c")
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods",
                                  _pod("named", requests={"memory": "1Gi"}, limits={"cpu": "1"}))
    assert status == 201, body


async def test_limit_ranger_defaults_satisfy_a_quota(api, new_ns):
    ns = await _namespace(api, new_ns)
    status, body = await api.post(f"/api/v1/namespaces/{ns}/limitranges", {
        "metadata": {"name": "l"}, "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"}}]}})
    assert status == 201, body
    await _quota(api, ns, {"limits.cpu": "1"})
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("defaulted"))
    assert status == 201, body
    assert (await _used(api, ns))["limits.cpu"] == "500m"


async def test_scopes_choose_the_pods_a_quota_counts(api, new_ns):
    ns = await _namespace(api, new_ns)
    await _quota(api, ns, {"pods": "1"}, name="besteffort", scopes=["BestEffort"])
    await _quota(api, ns, {"pods": "1"}, name="terminating", scopes=["Terminating"])
    await _quota(api, ns, {"pods": "1"}, name="high", scopeSelector={"matchExpressions": [
        {"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]})
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("be1"))
    assert status == 201, body
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("be2"))
    _refused(status, body, "pods", "be2", "exceeded quota: besteffort, requested: pods=1, used: pods=1, "
                                          "limited: pods=1")
    # NotBestEffort and NotTerminating pods with no priority class are in none of the three
    for name in ("burst1", "burst2"):
        status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", _pod(name, requests={"cpu": "100m"}))
        assert status == 201, body
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods",
                                  _pod("job1", requests={"cpu": "100m"}, activeDeadlineSeconds=60))
    assert status == 201, body
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods",
                                  _pod("job2", requests={"cpu": "100m"}, activeDeadlineSeconds=60))
    _refused(status, body, "pods", "job2", "exceeded quota: terminating, requested: pods=1, used: pods=1, "
                                           "limited: pods=1")
    assert (await _used(api, ns, "besteffort"))["pods"] == "1"
    assert (await _used(api, ns, "high"))["pods"] == "0"


async def test_services_and_their_node_ports_and_load_balancers(api, new_ns):
    ns = await _namespace(api, new_ns)
    await _quota(api, ns, {"services": "3", "services.loadbalancers": "0", "services.nodeports": "1"})
    status, body = await api.post(f"/api/v1/namespaces/{ns}/services", _service("lb", "LoadBalancer"))
    _refused(status, body, "services", "lb", "exceeded quota: q, requested: services.loadbalancers=1, "
                                             "used: services.loadbalancers=0, limited: services.loadbalancers=0")
    status, body = await api.post(f"/api/v1/namespaces/{ns}/services", _service("np", "NodePort"))
    assert status == 201, body
    assert await _used(api, ns) == {"services": "1", "services.loadbalancers": "0", "services.nodeports": "1"}


async def test_claims_and_storage_by_class(api, new_ns):
    ns = await _namespace(api, new_ns)
    await _quota(api, ns, {"persistentvolumeclaims": "5", "requests.storage": "10Gi",
                           "gold.storageclass.storage.k8s.io/requests.storage": "3Gi"})
    status, body = await api.post(f"/api/v1/namespaces/{ns}/persistentvolumeclaims", _claim("gold", "5Gi", "gold"))
    _refused(status, body, "persistentvolumeclaims", "gold",
             "exceeded quota: q, requested: gold.storageclass.storage.k8s.io/requests.storage=5Gi, "
             "used: gold.storageclass.storage.k8s.io/requests.storage=0, "
             "limited: gold.storageclass.storage.k8s.io/requests.storage=3Gi")
    status, body = await api.post(f"/api/v1/namespaces/{ns}/persistentvolumeclaims", _claim("plain", "5Gi"))
    assert status == 201, body
    assert await _used(api, ns) == {"persistentvolumeclaims": "1", "requests.storage": "5Gi",
                                    "gold.storageclass.storage.k8s.io/requests.storage": "0"}


async def test_dry_run_is_checked_but_not_charged(api, new_ns):
    ns = await _namespace(api, new_ns)
    await _quota(api, ns, {"configmaps": "2"})
    status, body = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("dry"), params={"dryRun": "All"})
    assert status == 201, body
    assert (await _used(api, ns))["configmaps"] == "1"
    status, body = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("real"))
    assert status == 201, body
    status, body = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("dry2"), params={"dryRun": "All"})
    _refused(status, body, "configmaps", "dry2", "exceeded quota: q, requested: configmaps=1, used: configmaps=2, "
                                                 "limited: configmaps=2")


async def test_usage_is_given_back_after_deletes(api, new_ns):
    ns = await _namespace(api, new_ns)
    await _quota(api, ns, {"pods": "2", "configmaps": "3"})
    for name in ("p1", "p2"):
        status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", _pod(name))
        assert status == 201, body
    for name in ("c1", "c2"):
        status, body = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap(name))
        assert status == 201, body
    assert await _used(api, ns) == {"pods": "2", "configmaps": "3"}
    status, body = await api.delete(f"/api/v1/namespaces/{ns}/pods/p1", params={"gracePeriodSeconds": "0"})
    assert status == 200, body
    status, body = await api.delete(f"/api/v1/namespaces/{ns}/configmaps/c1")
    assert status == 200, body

    async def given_back():
        return await _used(api, ns) == {"pods": "1", "configmaps": "2"}
    await eventually(given_back, what="usage after the deletes")
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("p3"))
    assert status == 201, body


async def test_a_raised_limit_is_taken_into_status(api, new_ns):
    ns = await _namespace(api, new_ns)
    quota = await _quota(api, ns, {"secrets": "1"})
    quota["spec"]["hard"] = {"secrets": "4"}
    status, body = await api.put(f"/api/v1/namespaces/{ns}/resourcequotas/q", quota)
    assert status == 200, body

    async def raised():
        status, quota = await api.get(f"/api/v1/namespaces/{ns}/resourcequotas/q")
        return quota["status"]["hard"] == {"secrets": "4"}
    await eventually(raised, what="the new hard limit in status")


async def test_two_replicas_creating_at_once_never_pass_a_limit(replica_factory, client):
    prefix = f"/registry-{uuid.uuid4().hex[:8]}"
    first, second = replica_factory(prefix=prefix), replica_factory(prefix=prefix)
    a, b = client(first), client(second)
    ns = f"t-{uuid.uuid4().hex[:10]}"
    await make_namespace(a, ns)
    await _quota(a, ns, {"pods": "10"})

    async def quota_seen_by_b():
        status, quota = await b.get(f"/api/v1/namespaces/{ns}/resourcequotas/q")
        return status == 200 and (quota.get("status") or {}).get("used")
    await eventually(quota_seen_by_b, what="the quota on the second replica")

    async def create(api: Api, i: int) -> tuple[int, dict]:
        return await api.post(f"/api/v1/namespaces/{ns}/pods", _pod(f"p{i}"))

    results = await asyncio.gather(*(create(a if i % 2 else b, i) for i in range(20)))
    codes = sorted(status for status, _ in results)
    assert codes == [201] * 10 + [403] * 10, [body.get("message") for _, body in results]
    assert all(body["message"].endswith("exceeded quota: q, requested: pods=1, used: pods=10, limited: pods=10")
               for status, body in results if status == 403)
    status, pods = await a.get(f"/api/v1/namespaces/{ns}/pods")
    assert len(pods["items"]) == 10
    assert (await _used(a, ns))["pods"] == "10"


@pytest.fixture
def quota_config(tmp_path):
    config = tmp_path / "admission.yaml"
    config.write_text("""
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: ResourceQuota
  configuration:
    apiVersion: apiserver.config.k8s.io/v1
    kind: ResourceQuotaConfiguration
    limitedResources:
    - resource: pods
      matchContains: ["cpu"]
""")
    return config


async def test_limited_resources_need_a_covering_quota(replica_factory, client, quota_config):
    api = client(replica_factory(f"--admission-control-config-file={quota_config}"))
    ns = f"t-{uuid.uuid4().hex[:10]}"
    await make_namespace(api, ns)
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("cpu", requests={"cpu": "100m"}))
    _refused(status, body, "pods", "cpu", "insufficient quota to consume: cpu,requests.cpu")
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("nocpu"))
    assert status == 201, body
    await _quota(api, ns, {"requests.cpu": "1", "cpu": "1"})
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("covered", requests={"cpu": "100m"}))
    assert status == 201, body
