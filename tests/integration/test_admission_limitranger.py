"""LimitRanger: a namespace's LimitRanges default the requests and limits of new pods' containers and hold
containers, pods and claims to their min, max and limit/request ratio, with kube's messages."""
from __future__ import annotations

import pytest

from tests.integration.conftest import make_namespace


def _container(name: str = "c", requests: dict | None = None, limits: dict | None = None) -> dict:
    resources = {}
    if requests:
        resources["requests"] = requests
    if limits:
        resources["limits"] = limits
    return {"name": name, "image": "x", "resources": resources}


def _pod(name: str, *containers: dict, init: tuple[dict, ...] = ()) -> dict:
    spec: dict = {"containers": list(containers) or [_container()]}
    if init:
        spec["initContainers"] = list(init)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def _claim(name: str, storage: str) -> dict:
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": storage}}}}


async def _namespace_with(api, new_ns, *items: dict) -> str:
    ns = new_ns()
    await make_namespace(api, ns)
    status, body = await api.post(f"/api/v1/namespaces/{ns}/limitranges",
                                  {"metadata": {"name": "limits"}, "spec": {"limits": list(items)}})
    assert status == 201, body
    return ns


def _refused(status: int, body: dict, resource: str, name: str, why: str) -> None:
    assert status == 403, body
    assert body["reason"] == "Forbidden"
    assert body["message"] == f'{resource} "{name}" is forbidden: {why}'


async def test_defaults_fill_containers_and_init_containers_and_are_annotated(api, new_ns):
    ns = await _namespace_with(api, new_ns, {"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"},
                                             "defaultRequest": {"cpu": "100m", "memory": "128Mi"}})
    pod = _pod("p", _container("app", requests={"cpu": "200m"}), _container("side"),
               init=(_container("setup", limits={"memory": "64Mi"}, requests={"memory": "64Mi"}),))
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod)
    assert status == 201, body
    app, side = body["spec"]["containers"]
    assert app["resources"] == {"requests": {"cpu": "200m", "memory": "128Mi"},
                                "limits": {"cpu": "500m", "memory": "256Mi"}}
    assert side["resources"] == {"requests": {"cpu": "100m", "memory": "128Mi"},
                                 "limits": {"cpu": "500m", "memory": "256Mi"}}
    setup = body["spec"]["initContainers"][0]
    assert setup["resources"] == {"requests": {"cpu": "100m", "memory": "64Mi"},
                                  "limits": {"cpu": "500m", "memory": "64Mi"}}
    assert body["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: memory request for container app; cpu, memory limit for container app; "
        "cpu, memory request for container side; cpu, memory limit for container side; "
        "cpu request for init container setup; cpu limit for init container setup")
    # the defaults count for the pod's QoS class, computed after admission
    assert body["status"]["qosClass"] == "Burstable"


async def test_a_pod_in_a_namespace_without_limit_ranges_is_left_alone(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("p"))
    assert status == 201, body
    assert "kubernetes.io/limit-ranger" not in (body["metadata"].get("annotations") or {})
    assert body["spec"]["containers"][0]["resources"] == {}


async def test_container_max(api, new_ns):
    ns = await _namespace_with(api, new_ns, {"type": "Container", "max": {"cpu": "1"}})
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods",
                                  _pod("big", _container(limits={"cpu": "2"}, requests={"cpu": "500m"})))
    _refused(status, body, "pods", "big", "maximum cpu usage per Container is 1, but limit is 2")
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods",
                                  _pod("fits", _container(limits={"cpu": "1"})))
    assert status == 201, body


async def test_container_max_defaults_the_limit_so_a_bare_pod_fits(api, new_ns):
    # kube defaults a Container item's `default` from its max, so a container without limits gets the max
    ns = await _namespace_with(api, new_ns, {"type": "Container", "max": {"memory": "1Gi"}})
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("bare"))
    assert status == 201, body
    assert body["spec"]["containers"][0]["resources"]["limits"] == {"memory": "1Gi"}


async def test_container_min(api, new_ns):
    ns = await _namespace_with(api, new_ns, {"type": "Container", "min": {"memory": "100Mi"},
                                             "default": {"memory": "200Mi"}, "defaultRequest": {"memory": "200Mi"}})
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods",
                                  _pod("small", _container(requests={"memory": "50Mi"})))
    _refused(status, body, "pods", "small", "minimum memory usage per Container is 100Mi, but request is 50Mi")
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods",
                                  _pod("fits", _container(requests={"memory": "150Mi"})))
    assert status == 201, body


async def test_init_containers_are_held_to_container_limits(api, new_ns):
    ns = await _namespace_with(api, new_ns, {"type": "Container", "max": {"cpu": "1"}})
    pod = _pod("init", _container(limits={"cpu": "1"}), init=(_container("setup", limits={"cpu": "3"}),))
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod)
    _refused(status, body, "pods", "init", "maximum cpu usage per Container is 1, but limit is 3")


async def test_limit_request_ratio(api, new_ns):
    ns = await _namespace_with(api, new_ns, {"type": "Container", "maxLimitRequestRatio": {"cpu": "2"}})
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods",
                                  _pod("ratio", _container(requests={"cpu": "100m"}, limits={"cpu": "300m"})))
    _refused(status, body, "pods", "ratio",
             "cpu max limit to request ratio per Container is 2, but provided ratio is 3.000000")
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods",
                                  _pod("fits", _container(requests={"cpu": "100m"}, limits={"cpu": "200m"})))
    assert status == 201, body


async def test_pod_sums_are_held_to_pod_limits_and_problems_are_aggregated(api, new_ns):
    ns = await _namespace_with(api, new_ns, {"type": "Pod", "max": {"cpu": "1", "memory": "1Gi"}})
    big = _pod("sum", _container("a", limits={"cpu": "700m", "memory": "1Gi"}),
               _container("b", limits={"cpu": "500m", "memory": "512Mi"}))
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", big)
    _refused(status, body, "pods", "sum", "[maximum cpu usage per Pod is 1, but limit is 1200m, "
                                          "maximum memory usage per Pod is 1Gi, but limit is 1536Mi]")
    fits = _pod("fits", _container("a", limits={"cpu": "500m", "memory": "512Mi"}),
                _container("b", limits={"cpu": "500m", "memory": "512Mi"}))
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", fits)
    assert status == 201, body


async def test_pod_max_needs_a_limit(api, new_ns):
    ns = await _namespace_with(api, new_ns, {"type": "Pod", "max": {"cpu": "1"}})
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("nolimit"))
    _refused(status, body, "pods", "nolimit", "maximum cpu usage per Pod is 1.  No limit is specified")


@pytest.mark.parametrize(("storage", "why"), [
    ("500Mi", "minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi"),
    ("20Gi", "maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi"),
])
async def test_claim_min_and_max(api, new_ns, storage, why):
    ns = await _namespace_with(api, new_ns, {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"},
                                             "max": {"storage": "10Gi"}})
    status, body = await api.post(f"/api/v1/namespaces/{ns}/persistentvolumeclaims", _claim("c", storage))
    _refused(status, body, "persistentvolumeclaims", "c", why)
    status, body = await api.post(f"/api/v1/namespaces/{ns}/persistentvolumeclaims", _claim("ok", "5Gi"))
    assert status == 201, body


async def test_dry_run_pods_are_defaulted_and_judged(api, new_ns):
    ns = await _namespace_with(api, new_ns, {"type": "Container", "max": {"cpu": "1"},
                                             "default": {"cpu": "1"}})
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("dry"), params={"dryRun": "All"})
    assert status == 201, body
    assert body["spec"]["containers"][0]["resources"]["limits"] == {"cpu": "1"}
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods",
                                  _pod("drybig", _container(limits={"cpu": "2"})), params={"dryRun": "All"})
    _refused(status, body, "pods", "drybig", "maximum cpu usage per Container is 1, but limit is 2")
