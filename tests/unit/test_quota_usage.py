"""The pure parts of quota and LimitRanger: pod sums with init containers and sidecars, usage, scopes, kube's
wording of ratios and aggregated problems."""
from __future__ import annotations

from apiserver.admission.plugins.limitranger import aggregate, ratio_problem
from apiserver.api.meta.quantity import parse
from apiserver.controllers.quotausage import (
    Evaluator,
    ScopeSelector,
    as_json,
    is_best_effort,
    pod_in_scope,
    pod_total,
    pod_usage,
)


def _container(name: str, cpu: str, **extra) -> dict:
    return {"name": name, "resources": {"requests": {"cpu": cpu}}, **extra}


def test_pod_requests_take_the_larger_of_containers_and_any_init_container_beside_the_sidecars():
    pod = {"spec": {"containers": [_container("a", "200m"), _container("b", "300m")],
                    "initContainers": [_container("sidecar", "100m", restartPolicy="Always"),
                                       _container("setup", "1")],
                    "overhead": {"cpu": "50m"}}}
    # containers 500m + sidecar 100m = 600m; setup runs beside the sidecar: 1100m, the larger
    assert as_json(pod_total(pod, "requests")) == {"cpu": "1100m"}
    assert as_json(pod_total(pod, "requests", overhead=True)) == {"cpu": "1150m"}
    # overhead adds to limits only where a limit is set
    assert pod_total(pod, "limits", overhead=True) == {}


def test_pod_usage_drops_compute_for_finished_pods_but_keeps_the_object_count():
    running = {"spec": {"containers": [_container("a", "1")]}, "status": {"phase": "Running"}}
    assert as_json(pod_usage(running)) == {"count/pods": "1", "cpu": "1", "pods": "1", "requests.cpu": "1"}
    done = {**running, "status": {"phase": "Succeeded"}}
    assert as_json(pod_usage(done)) == {"count/pods": "1"}


def test_scopes():
    best_effort = {"spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "0"}}}]}}
    assert is_best_effort(best_effort)
    high = {"spec": {"containers": [_container("a", "1")], "priorityClassName": "high", "activeDeadlineSeconds": 5}}
    assert pod_in_scope(ScopeSelector("PriorityClass", "In", ("high", "low")), high)
    assert not pod_in_scope(ScopeSelector("PriorityClass", "NotIn", ("high",)), high)
    assert pod_in_scope(ScopeSelector("Terminating"), high)
    assert pod_in_scope(ScopeSelector("NotBestEffort"), high)
    # only pods have scopes
    assert not Evaluator("", "configmaps").in_scope(ScopeSelector("NotTerminating"), {})


def test_matching_names_per_kind():
    hard = ["pods", "count/configmaps", "configmaps", "requests.storage", "gold.storageclass.storage.k8s.io/"
            "persistentvolumeclaims", "requests.example.com/gpu", "count/deployments.apps", "services.nodeports"]
    assert Evaluator("", "pods").matching(hard) == ["pods", "requests.example.com/gpu"]
    assert Evaluator("", "configmaps").matching(hard) == ["count/configmaps", "configmaps"]
    assert Evaluator("apps", "deployments").matching(hard) == ["count/deployments.apps"]
    assert Evaluator("", "persistentvolumeclaims").matching(hard) == [
        "requests.storage", "gold.storageclass.storage.k8s.io/persistentvolumeclaims"]
    assert Evaluator("", "services").matching(hard) == ["services.nodeports"]


def test_ratio_wording():
    problem = ratio_problem("Container", "memory", parse("1.5"), {"memory": parse("1Gi")}, {"memory": parse("2Gi")})
    assert problem == "memory max limit to request ratio per Container is 1500m, but provided ratio is 2.000000"
    assert ratio_problem("Container", "memory", parse("2"), {"memory": parse("1Gi")}, {"memory": parse("2Gi")}) is None


def test_aggregate_brackets_several_problems_and_drops_repeats():
    assert aggregate(["a"]) == "a"
    assert aggregate(["a", "a"]) == "a"
    assert aggregate(["a", "b"]) == "[a, b]"
