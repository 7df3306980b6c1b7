"""PodNodeSelector and PodTolerationRestriction (off by default) on a replica that enables both, with both
configurations in its --admission-control-config-file: a cluster default node selector and one namespace's
whitelist; cluster default tolerations and a cluster whitelist. Namespace annotations override the defaults."""
from __future__ import annotations

import json
import uuid

import pytest

PODS = "/api/v1/namespaces/{}/pods"
NODE_SELECTOR = "scheduler.alpha.kubernetes.io/node-selector"
DEFAULT_TOLERATIONS = "scheduler.alpha.kubernetes.io/defaultTolerations"
TOLERATIONS_WHITELIST = "scheduler.alpha.kubernetes.io/tolerationsWhitelist"
# the namespace the PodNodeSelector configuration gives a whitelist to
LISTED = f"t-{uuid.uuid4().hex[:10]}"

CLUSTER_TOLERATION = {"key": "dedicated", "operator": "Equal", "value": "shared", "effect": "NoSchedule"}
MEMORY_PRESSURE = {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"}
# DefaultTolerationSeconds runs first: every whitelist here allows what it adds
NODE_PROBLEMS = [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
                 {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}]

CONFIG = f"""
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodNodeSelector
  configuration:
    podNodeSelectorPluginConfig:
      clusterDefaultNodeSelector: tier=shared
      {LISTED}: tier=shared,disk=ssd
- name: PodTolerationRestriction
  configuration:
    apiVersion: podtolerationrestriction.admission.k8s.io/v1alpha1
    kind: Configuration
    default:
    - {json.dumps(CLUSTER_TOLERATION)}
    whitelist:
    - {{key: dedicated, operator: Exists}}
    - {{key: team, operator: Exists}}
    - {json.dumps(MEMORY_PRESSURE)}
    - {json.dumps(NODE_PROBLEMS[0])}
    - {json.dumps(NODE_PROBLEMS[1])}
"""


def pod(name: str, requests: bool = False, **spec) -> dict:
    container: dict = {"name": "c", "image": "busybox"}
    if requests:
        container["resources"] = {"requests": {"memory": "16Mi"}}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {"containers": [container], **spec}}


@pytest.fixture(scope="module")
def replica(replica_factory, tmp_path_factory):
    path = tmp_path_factory.mktemp("podscheduling") / "admission.yaml"
    path.write_text(CONFIG)
    started = replica_factory("--enable-admission-plugins=PodNodeSelector,PodTolerationRestriction",
                              f"--admission-control-config-file={path}")
    yield started
    started.stop()


@pytest.fixture
async def api(replica, client):
    return client(replica)


@pytest.fixture
def namespace(api, new_ns):
    """namespace(**annotations) -> the name of a new namespace carrying them."""
    async def make(name: str | None = None, **annotations: str) -> str:
        name = name or new_ns()
        body = {"metadata": {"name": name, "annotations": annotations}}
        status, answer = await api.post("/api/v1/namespaces", body)
        assert status == 201, answer
        return name
    return make


async def created(api, ns: str, body: dict) -> dict:
    status, answer = await api.post(PODS.format(ns), body)
    assert status == 201, answer
    return answer


# ---------------------------------------------------------------- PodNodeSelector

async def test_namespace_node_selector_is_merged_into_the_pods(api, namespace):
    ns = await namespace(**{NODE_SELECTOR: "env=prod"})
    answer = await created(api, ns, pod("merged", nodeSelector={"disk": "ssd"}))
    assert answer["spec"]["nodeSelector"] == {"disk": "ssd", "env": "prod"}
    # without the annotation, the cluster default of the configuration
    plain = await namespace()
    answer = await created(api, plain, pod("defaulted"))
    assert answer["spec"]["nodeSelector"] == {"tier": "shared"}


async def test_node_selector_conflicting_with_the_namespaces_is_refused(api, namespace):
    ns = await namespace(**{NODE_SELECTOR: "env=prod"})
    status, answer = await api.post(PODS.format(ns), pod("clash", nodeSelector={"env": "dev"}))
    assert status == 403, answer
    assert answer["message"] == ('pods "clash" is forbidden: pod node label selector conflicts with its namespace '
                                 "node label selector")


async def test_namespace_whitelist_of_the_configuration(api, namespace):
    await namespace(LISTED)
    status, answer = await api.post(PODS.format(LISTED), pod("gpu", nodeSelector={"gpu": "yes"}))
    assert status == 403, answer
    assert answer["message"] == ('pods "gpu" is forbidden: pod node label selector labels conflict with its '
                                 "namespace whitelist")
    answer = await created(api, LISTED, pod("ssd", nodeSelector={"disk": "ssd"}))
    assert answer["spec"]["nodeSelector"] == {"disk": "ssd", "tier": "shared"}


# ---------------------------------------------------------------- PodTolerationRestriction

def _own(answer: dict) -> list[dict]:
    """The pod's tolerations but DefaultTolerationSeconds'."""
    return [t for t in answer["spec"].get("tolerations") or []
            if t["key"] not in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")]


async def test_default_tolerations_are_merged_into_new_pods(api, namespace):
    team = {"key": "team", "operator": "Equal", "value": "a", "effect": "NoSchedule"}
    ns = await namespace(**{DEFAULT_TOLERATIONS: json.dumps([team])})
    # a pod that is not BestEffort also tolerates memory pressure
    answer = await created(api, ns, pod("burstable", requests=True))
    assert _own(answer) == [team, MEMORY_PRESSURE]
    answer = await created(api, ns, pod("besteffort"))
    assert _own(answer) == [team]
    # the pod's own toleration covers the namespace's, which is left out
    wide = {"key": "team", "operator": "Exists"}
    answer = await created(api, ns, pod("wide", tolerations=[wide]))
    assert _own(answer) == [wide]
    # without the annotation, the cluster default of the configuration
    plain = await namespace()
    answer = await created(api, plain, pod("cluster"))
    assert _own(answer) == [CLUSTER_TOLERATION]


async def test_tolerations_outside_the_whitelist_are_refused(api, namespace):
    allowed = [{"key": "team", "operator": "Exists"}, *NODE_PROBLEMS]
    ns = await namespace(**{TOLERATIONS_WHITELIST: json.dumps(allowed), DEFAULT_TOLERATIONS: ""})
    gpu = {"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}
    status, answer = await api.post(PODS.format(ns), pod("gpu", tolerations=[gpu]))
    assert status == 500, answer
    assert answer["message"] == ("pod tolerations (possibly merged with namespace default tolerations) conflict "
                                 "with its namespace whitelist")
    # the cluster's whitelist where the namespace has none
    plain = await namespace()
    status, answer = await api.post(PODS.format(plain), pod("gpu", tolerations=[gpu]))
    assert status == 500, answer
    assert answer["message"].endswith("conflict with its cluster whitelist")


async def test_tolerations_the_whitelist_covers_are_let_through(api, namespace):
    allowed = [{"key": "team", "operator": "Exists"}, *NODE_PROBLEMS]
    ns = await namespace(**{TOLERATIONS_WHITELIST: json.dumps(allowed), DEFAULT_TOLERATIONS: ""})
    team = {"key": "team", "operator": "Equal", "value": "b", "effect": "NoExecute", "tolerationSeconds": 30}
    answer = await created(api, ns, pod("team", tolerations=[team]))
    assert _own(answer) == [team]
