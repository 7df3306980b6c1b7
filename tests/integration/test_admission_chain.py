"""The admission chain on a real replica: NamespaceLifecycle as a plugin (and what turning it off changes) and
the admission metrics."""
from __future__ import annotations

from tests.integration.conftest import configmap, make_namespace


async def test_namespace_lifecycle(api, new_ns):
    missing = new_ns()
    status, body = await api.post(f"/api/v1/namespaces/{missing}/configmaps", configmap("a"))
    assert status == 404 and body["message"] == f'namespaces "{missing}" not found', body
    ns = new_ns()
    await make_namespace(api, ns)
    held = configmap("a")
    # a finalizer keeps it while the namespace terminates, so the update below always has an object to change
    held["metadata"]["finalizers"] = ["example.com/hold"]
    status, _ = await api.post(f"/api/v1/namespaces/{ns}/configmaps", held)
    assert status == 201
    await api.delete(f"/api/v1/namespaces/{ns}")
    status, body = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("b"))
    assert status == 403 and body["details"]["causes"] == [{
        "reason": "NamespaceTerminating", "message": f"namespace {ns} is being terminated",
        "field": "metadata.namespace"}], body
    # updates of what is already there go on while the namespace terminates
    async def update_a(change) -> tuple[int, dict]:
        # the namespace controller marks it deleted meanwhile: read again on a conflict
        while True:
            status, current = await api.get(f"/api/v1/namespaces/{ns}/configmaps/a")
            assert status == 200, current
            change(current)
            status, body = await api.put(f"/api/v1/namespaces/{ns}/configmaps/a", current)
            if status != 409:
                return status, body

    status, body = await update_a(lambda cm: cm.update(data={"k": "changed"}))
    assert status in (200, 404, 409), body
    assert status == 200 and body["data"] == {"k": "changed"}, body
    status, body = await update_a(lambda cm: cm["metadata"].pop("finalizers"))
    assert status == 200, body
    for immortal in ("default", "kube-system", "kube-public"):
        status, body = await api.delete(f"/api/v1/namespaces/{immortal}", params={"dryRun": "All"})
        assert status == 403 and body["message"] == (
            f'namespaces "{immortal}" is forbidden: this namespace may not be deleted'), body


async def test_without_namespace_lifecycle(replica_factory, client, new_ns):
    """kube without the plugin: content may be written in a namespace that does not exist."""
    replica = replica_factory("--disable-admission-plugins=NamespaceLifecycle")
    api = client(replica)
    missing = new_ns()
    status, body = await api.post(f"/api/v1/namespaces/{missing}/configmaps", configmap("a"))
    assert status == 201, body
    status, body = await api.delete("/api/v1/namespaces/kube-public", params={"dryRun": "All"})
    assert status == 200, body


async def test_admission_metrics(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("m"))
    status, text = await api.get("/metrics")
    assert status == 200
    assert 'apiserver_admission_controller_admission_duration_seconds_count{name="NamespaceLifecycle",' \
           'operation="CREATE",rejected="false",type="admit"}' in text
    assert 'apiserver_admission_step_admission_duration_seconds_bucket{le="0.005",operation="CREATE",' \
           'rejected="false",type="validate"}' in text

