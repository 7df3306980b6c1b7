"""The pod scheduling admission plugins on real replicas: Priority, DefaultTolerationSeconds, TaintNodesByCondition
and RuntimeClass (on by default: the shared replica), AlwaysPullImages, ExtendedResourceToleration and
LimitPodHardAntiAffinityTopology (off by default: a replica that enables them, with its own toleration seconds,
where a global default PriorityClass disturbs no other test)."""
from __future__ import annotations

import uuid

import pytest

from tests.integration.conftest import make_namespace

CLASSES = "/apis/scheduling.k8s.io/v1/priorityclasses"
RUNTIME_CLASSES = "/apis/node.k8s.io/v1/runtimeclasses"
DEFAULT_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]


def pod(name: str, **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "busybox"}], **spec}}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def ns(api, new_ns) -> str:
    name = new_ns()
    await make_namespace(api, name)
    return name


@pytest.fixture(scope="module")
def enabled(replica_factory):
    replica = replica_factory("--enable-admission-plugins=AlwaysPullImages,ExtendedResourceToleration,"
                              "LimitPodHardAntiAffinityTopology", "--default-not-ready-toleration-seconds=60",
                              "--default-unreachable-toleration-seconds=0x78")
    yield replica
    replica.stop()


@pytest.fixture
async def other(enabled, client, new_ns):
    api = client(enabled)
    name = new_ns()
    await make_namespace(api, name)
    return api, name


async def refused(api, path: str, body: dict, message: str, code: int = 403) -> None:
    status, answer = await api.post(path, body)
    assert status == code, answer
    assert answer["message"] == message


# ---------------------------------------------------------------- Priority

async def test_the_system_priority_classes_are_made_at_start(api):
    for name, value, words in (("system-node-critical", 2000001000, "must not be moved from their current node."),
                               ("system-cluster-critical", 2000000000, "can be moved to another node if necessary.")):
        status, body = await api.get(f"{CLASSES}/{name}")
        assert status == 200, body
        assert body["value"] == value and body["preemptionPolicy"] == "PreemptLowerPriority"
        assert body["description"].endswith(words) and "globalDefault" not in body


async def test_a_pod_gets_the_priority_and_policy_of_its_class(api, ns):
    name = unique("pc")
    status, body = await api.post(CLASSES, {"metadata": {"name": name}, "value": 1000, "preemptionPolicy": "Never"})
    assert status == 201, body
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("classy", priorityClassName=name))
    assert status == 201, body
    assert (body["spec"]["priority"], body["spec"]["preemptionPolicy"]) == (1000, "Never")
    # kube 1.32 lets the system classes be used in any namespace (ResourceQuota is what limits them)
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("critical",
                                                                         priorityClassName="system-node-critical"))
    assert status == 201, body
    assert body["spec"]["priority"] == 2000001000


async def test_a_pod_without_a_class_gets_priority_zero(api, ns):
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("plain"))
    assert status == 201, body
    assert body["spec"]["priority"] == 0 and body["spec"]["preemptionPolicy"] == "PreemptLowerPriority"
    assert "priorityClassName" not in body["spec"]
    # an update that leaves them out keeps them
    status, body = await api.request("PATCH", f"/api/v1/namespaces/{ns}/pods/plain",
                                     [{"op": "remove", "path": "/spec/priority"},
                                      {"op": "remove", "path": "/spec/preemptionPolicy"},
                                      {"op": "add", "path": "/metadata/labels", "value": {"a": "b"}}],
                                     headers={"Content-Type": "application/json-patch+json"})
    assert status == 200, body
    assert body["spec"]["priority"] == 0 and body["spec"]["preemptionPolicy"] == "PreemptLowerPriority"


async def test_a_pod_may_not_choose_its_priority(api, ns):
    path = f"/api/v1/namespaces/{ns}/pods"
    await refused(api, path, pod("unknown", priorityClassName="no-such-class"),
                  'pods "unknown" is forbidden: no PriorityClass with name no-such-class was found')
    await refused(api, path, pod("high", priority=7),
                  'pods "high" is forbidden: the integer value of priority (7) must not be provided in pod spec; '
                  "priority admission controller computed 0 from the given PriorityClass name")
    await refused(api, path, pod("never", preemptionPolicy="Never"),
                  'pods "never" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in '
                  "pod spec; priority admission controller computed PreemptLowerPriority from the given "
                  "PriorityClass name")
    # what the class would give anyway is accepted
    status, body = await api.post(path, pod("same", priority=0, preemptionPolicy="PreemptLowerPriority"))
    assert status == 201, body


async def test_only_one_priority_class_is_the_global_default(enabled, other):
    api, ns = other
    status, body = await api.post(CLASSES, {"metadata": {"name": "first-default"}, "value": 50,
                                            "globalDefault": True})
    assert status == 201, body
    try:
        status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("defaulted"))
        assert status == 201, body
        assert body["spec"]["priorityClassName"] == "first-default" and body["spec"]["priority"] == 50
        await refused(api, CLASSES, {"metadata": {"name": "second-default"}, "value": 60, "globalDefault": True},
                      'priorityclasses.scheduling.k8s.io "second-default" is forbidden: PriorityClass first-default '
                      "is already marked as default. Only one default can exist")
        status, body = await api.post(CLASSES, {"metadata": {"name": "not-default"}, "value": 60})
        assert status == 201, body
        status, body = await api.request("PATCH", f"{CLASSES}/not-default", {"globalDefault": True},
                                         headers={"Content-Type": "application/merge-patch+json"})
        assert status == 403 and "PriorityClass first-default is already marked as default" in body["message"]
        # the default itself may be written again
        status, body = await api.request("PATCH", f"{CLASSES}/first-default", {"description": "still"},
                                         headers={"Content-Type": "application/merge-patch+json"})
        assert status == 200, body
    finally:
        await api.delete(f"{CLASSES}/first-default")


# ---------------------------------------------------------------- DefaultTolerationSeconds

async def test_pods_tolerate_node_outages_for_five_minutes(api, ns):
    mine = {"key": "example.com/k", "operator": "Equal", "value": "v", "effect": "NoSchedule"}
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("tolerant", tolerations=[mine]))
    assert status == 201, body
    assert body["spec"]["tolerations"] == [mine, *DEFAULT_TOLERATIONS]


async def test_a_pod_tolerating_the_outage_already_is_left_alone(api, ns):
    everything = {"operator": "Exists"}
    unreachable = {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
                   "tolerationSeconds": 5}
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("all", tolerations=[everything]))
    assert status == 201 and body["spec"]["tolerations"] == [everything], body
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("half", tolerations=[unreachable]))
    assert status == 201, body
    assert body["spec"]["tolerations"] == [unreachable, DEFAULT_TOLERATIONS[0]]


async def test_the_toleration_seconds_come_from_the_flags(other):
    api, ns = other
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("flags"))
    assert status == 201, body
    assert [t["tolerationSeconds"] for t in body["spec"]["tolerations"]] == [60, 120]


# ---------------------------------------------------------------- TaintNodesByCondition

async def test_a_new_node_is_tainted_not_ready(api):
    name = unique("node")
    status, body = await api.post("/api/v1/nodes", {"metadata": {"name": name}, "spec": {"taints": [
        {"key": "example.com/own", "effect": "NoExecute"}]}})
    assert status == 201, body
    assert body["spec"]["taints"] == [{"key": "example.com/own", "effect": "NoExecute"},
                                      {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}]
    # the taint is not added twice, and an update does not bring it back
    tainted = unique("node")
    status, body = await api.post("/api/v1/nodes", {"metadata": {"name": tainted}, "spec": {"taints": [
        {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}]}})
    assert status == 201 and len(body["spec"]["taints"]) == 1, body
    status, body = await api.request("PATCH", f"/api/v1/nodes/{tainted}", {"spec": {"taints": None}},
                                     headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200 and "taints" not in body["spec"], body


# ---------------------------------------------------------------- RuntimeClass

async def test_a_pod_gets_its_runtime_class_overhead_and_scheduling(api, ns):
    name = unique("rc")
    status, body = await api.post(RUNTIME_CLASSES, {
        "metadata": {"name": name}, "handler": "runc", "overhead": {"podFixed": {"cpu": "250m", "memory": "64Mi"}},
        "scheduling": {"nodeSelector": {"sandbox": "yes"},
                       "tolerations": [{"key": "sandbox", "operator": "Exists", "effect": "NoSchedule"}]}})
    assert status == 201, body
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod(
        "sandboxed", runtimeClassName=name, nodeSelector={"disk": "ssd"},
        tolerations=[{"key": "sandbox", "operator": "Equal", "value": "x", "effect": "NoSchedule"}]))
    assert status == 201, body
    spec = body["spec"]
    assert spec["overhead"] == {"cpu": "250m", "memory": "64Mi"}
    assert spec["nodeSelector"] == {"disk": "ssd", "sandbox": "yes"}
    # the class's toleration covers the pod's narrower one, which merging drops; DefaultTolerationSeconds ran first
    assert spec["tolerations"] == [*DEFAULT_TOLERATIONS,
                                   {"key": "sandbox", "operator": "Exists", "effect": "NoSchedule"}]
    path = f"/api/v1/namespaces/{ns}/pods"
    await refused(api, path, pod("conflict", runtimeClassName=name, nodeSelector={"sandbox": "no"}),
                  'pods "conflict" is forbidden: conflict: runtimeClass.scheduling.nodeSelector[sandbox] = yes; '
                  "pod.spec.nodeSelector[sandbox] = no")
    await refused(api, path, pod("greedy", runtimeClassName=name, overhead={"cpu": "1"}),
                  'pods "greedy" is forbidden: pod rejected: Pod\'s Overhead doesn\'t match RuntimeClass\'s '
                  "defined Overhead")
    # the same amount written otherwise is the same overhead
    status, body = await api.post(path, pod("equal", runtimeClassName=name,
                                            overhead={"cpu": "0.25", "memory": "65536Ki"}))
    assert status == 201, body


async def test_a_pod_needs_its_runtime_class_to_exist(api, ns):
    path = f"/api/v1/namespaces/{ns}/pods"
    await refused(api, path, pod("lost", runtimeClassName="no-such-class"),
                  'pods "lost" is forbidden: pod rejected: RuntimeClass "no-such-class" not found')
    await refused(api, path, pod("overhead", overhead={"cpu": "1"}),
                  'pods "overhead" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass '
                  "defined Overhead")


# ---------------------------------------------------------------- the plugins off by default

async def test_always_pull_images(api, ns, other):
    enabled_api, enabled_ns = other
    body = pod("pull", initContainers=[{"name": "i", "image": "busybox", "imagePullPolicy": "Never"}])
    body["spec"]["containers"][0]["imagePullPolicy"] = "IfNotPresent"
    status, created = await enabled_api.post(f"/api/v1/namespaces/{enabled_ns}/pods", body)
    assert status == 201, created
    assert [c["imagePullPolicy"] for c in created["spec"]["initContainers"] + created["spec"]["containers"]] == [
        "Always", "Always"]
    status, created = await api.post(f"/api/v1/namespaces/{ns}/pods", body)
    assert status == 201 and created["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent", created


async def test_extended_resources_are_tolerated(api, ns, other):
    enabled_api, enabled_ns = other
    body = pod("gpu")
    body["spec"]["containers"][0]["resources"] = {"requests": {"example.com/gpu": "1", "cpu": "1"},
                                                  "limits": {"example.com/gpu": "1"}}
    status, created = await enabled_api.post(f"/api/v1/namespaces/{enabled_ns}/pods", body)
    assert status == 201, created
    assert created["spec"]["tolerations"][-1] == {"key": "example.com/gpu", "operator": "Exists",
                                                  "effect": "NoSchedule"}
    status, created = await api.post(f"/api/v1/namespaces/{ns}/pods", body)
    assert status == 201 and created["spec"]["tolerations"] == DEFAULT_TOLERATIONS, created


async def test_hard_anti_affinity_only_spreads_over_hosts(other):
    api, ns = other

    def spread(key: str) -> dict:
        return {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "a"}}, "topologyKey": key}]}}

    await refused(api, f"/api/v1/namespaces/{ns}/pods", pod("zonal", affinity=spread("topology.kubernetes.io/zone")),
                  'pods "zonal" is forbidden: affinity.PodAntiAffinity.RequiredDuringScheduling has TopologyKey '
                  "topology.kubernetes.io/zone but only key kubernetes.io/hostname is allowed")
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("hosts",
                                                                         affinity=spread("kubernetes.io/hostname")))
    assert status == 201, body
