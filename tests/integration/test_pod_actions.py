"""pods/binding and pods/eviction (with PodDisruptionBudgets)."""
from __future__ import annotations

from tests.integration.conftest import make_namespace


def _pod(name: str, app: str = "web") -> dict:
    return {"metadata": {"name": name, "labels": {"app": app}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}


async def test_binding_assigns_a_node_once(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("p"))
    binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "p"},
               "target": {"apiVersion": "v1", "kind": "Node", "name": "node-1"}}
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods/p/binding", binding)
    assert status == 201 and body["status"] == "Success"
    _, pod = await api.get(f"/api/v1/namespaces/{ns}/pods/p")
    assert pod["spec"]["nodeName"] == "node-1"
    assert any(c["type"] == "PodScheduled" for c in pod["status"]["conditions"])
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods/p/binding", binding)
    assert status == 409 and "already assigned" in body["message"]
    status, _ = await api.get(f"/api/v1/namespaces/{ns}/pods/p/binding")
    assert status == 405


async def _running(api, ns: str, name: str) -> None:
    _, pod = await api.get(f"/api/v1/namespaces/{ns}/pods/{name}")
    pod["status"] = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    status, _ = await api.put(f"/api/v1/namespaces/{ns}/pods/{name}/status", pod)
    assert status == 200


async def test_eviction_honours_the_disruption_budget(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    for name in ("a", "b"):
        await api.post(f"/api/v1/namespaces/{ns}/pods", _pod(name))
        await _running(api, ns, name)
    pdb = {"metadata": {"name": "keep-one"}, "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}}
    assert (await api.post(f"/apis/policy/v1/namespaces/{ns}/poddisruptionbudgets", pdb))[0] == 201
    eviction = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "a"}}
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods/a/eviction", eviction)
    assert status == 201, body
    assert (await api.get(f"/api/v1/namespaces/{ns}/pods/a"))[0] == 404
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods/b/eviction",
                                  {**eviction, "metadata": {"name": "b"}})
    assert status == 429 and body["reason"] == "TooManyRequests"
    assert body["details"]["causes"][0]["reason"] == "DisruptionBudget"
    assert (await api.get(f"/api/v1/namespaces/{ns}/pods/b"))[0] == 200
    # a pod that is not running is evicted whatever the budget says
    await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("pending"))
    status, _ = await api.post(f"/api/v1/namespaces/{ns}/pods/pending/eviction",
                               {**eviction, "metadata": {"name": "pending"}})
    assert status == 201


async def test_action_bodies_are_checked(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("p"))
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods/p/binding",
                                  {"kind": "Binding", "metadata": {"name": "q"}, "target": {"name": "n"}})
    assert (status, body["message"]) == (400, "name in URL does not match name in binding object")
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods/p/binding", {"kind": "Binding", "target": {}})
    assert status == 422 and body["details"]["causes"][0]["field"] == "target.name"
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods/p/eviction",
                                  {"kind": "Eviction", "metadata": {"name": "q"}})
    assert (status, body["message"]) == (400, "name in URL does not match name in eviction object")
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods/p/eviction",
                                  {"kind": "Eviction", "deleteOptions": {"propagationPolicy": "Sometimes"}})
    assert status == 422 and body["details"]["kind"] == "DeleteOptions"


async def test_eviction_dry_run_keeps_the_pod(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("p"))
    for path, eviction in ((f"/api/v1/namespaces/{ns}/pods/p/eviction?dryRun=All", {"kind": "Eviction"}),
                           (f"/api/v1/namespaces/{ns}/pods/p/eviction",
                            {"kind": "Eviction", "deleteOptions": {"dryRun": ["All"]}})):
        status, body = await api.post(path, eviction)
        assert (status, body["status"]) == (201, "Success")
        assert (await api.get(f"/api/v1/namespaces/{ns}/pods/p"))[0] == 200
