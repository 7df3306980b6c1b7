"""Deletion semantics: finalizers, graceful pod deletion, propagation through the garbage collector and the
namespace lifecycle, against a real replica (whose leader runs the controllers) and a real etcd."""
from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.integration.conftest import ROOT_CA_CONFIGMAP, configmap, make_namespace
from tests.polling import eventually


async def gone(api, path: str) -> bool:
    status, _ = await api.get(path)
    return status == 404


async def until_gone(api, path: str) -> None:
    """Waits for what deletes `path` in the background: the garbage collector, the namespace controller, the
    end of a pod's grace period."""
    await eventually(lambda: gone(api, path), what=f"{path} deleted")


def owned(name: str, owner: dict, block: bool = False, finalizers: list[str] | None = None) -> dict:
    obj = configmap(name)
    obj["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap", "name": owner["metadata"]["name"],
                                           "uid": owner["metadata"]["uid"], "blockOwnerDeletion": block}]
    if finalizers:
        obj["metadata"]["finalizers"] = finalizers
    return obj


async def create(api, ns: str, obj: dict) -> dict:
    status, body = await api.post(f"/api/v1/namespaces/{ns}/configmaps", obj)
    assert status == 201, body
    return body


async def drop_finalizers(api, path: str) -> None:
    status, body = await api.request("PATCH", path, [{"op": "remove", "path": "/metadata/finalizers"}],
                                     headers={"Content-Type": "application/json-patch+json"})
    assert status == 200, body


async def held_configmap(api, ns: str, name: str) -> str:
    """A ConfigMap that a finalizer of ours holds; returns its path."""
    cm = configmap(name)
    cm["metadata"]["finalizers"] = ["example.com/hold"]
    await create(api, ns, cm)
    return f"/api/v1/namespaces/{ns}/configmaps/{name}"


async def test_finalizers_hold_an_object_until_removed(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    path = await held_configmap(api, ns, "held")
    status, body = await api.delete(path)
    assert status == 200
    assert body["kind"] == "ConfigMap" and body["metadata"]["deletionTimestamp"]
    assert body["metadata"]["deletionGracePeriodSeconds"] == 0
    status, body = await api.get(path)
    assert status == 200 and body["metadata"]["deletionTimestamp"]

    body["metadata"]["finalizers"].append("example.com/late")
    status, refused = await api.put(path, body)
    assert status == 422
    assert refused["details"]["causes"][0]["field"] == "metadata.finalizers"
    assert 'no new finalizers can be added if the object is being deleted, found new finalizers ' \
           '[]string{"example.com/late"}' in refused["message"]

    await drop_finalizers(api, path)
    assert await gone(api, path)


async def test_delete_options_rules(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    path = await held_configmap(api, ns, "opts")
    status, body = await api.delete(path, {"kind": "DeleteOptions", "apiVersion": "v1", "orphanDependents": False,
                                           "propagationPolicy": "Background"})
    assert status == 422 and body["reason"] == "Invalid"
    assert "orphanDependents and deletionPropagation cannot be both set" in body["message"]
    # the legacy orphanDependents=false on an object that stays is the one 202 kube answers
    status, body = await api.delete(path, {"kind": "DeleteOptions", "apiVersion": "v1", "orphanDependents": False})
    assert status == 202 and body["metadata"]["deletionTimestamp"]
    status, body = await api.delete(path, params={"dryRun": "All"})
    assert status == 200
    await drop_finalizers(api, path)
    assert await gone(api, path)


def _pod(name: str, grace: int | None = None) -> dict[str, Any]:
    pod: dict[str, Any] = {"metadata": {"name": name}, "spec": {"containers": [{"name": "c", "image": "x"}]}}
    if grace is not None:
        pod["spec"]["terminationGracePeriodSeconds"] = grace
    return pod


async def _bound_pod(api, ns: str, name: str, grace: int) -> str:
    status, _ = await api.post(f"/api/v1/namespaces/{ns}/pods", _pod(name, grace))
    assert status == 201
    status, _ = await api.post(f"/api/v1/namespaces/{ns}/pods/{name}/binding", {
        "apiVersion": "v1", "kind": "Binding", "metadata": {"name": name}, "target": {"kind": "Node", "name": "n1"}})
    assert status == 201
    return f"/api/v1/namespaces/{ns}/pods/{name}"


async def test_unscheduled_pod_goes_at_once(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    await api.post(f"/api/v1/namespaces/{ns}/pods", _pod("free"))
    status, body = await api.delete(f"/api/v1/namespaces/{ns}/pods/free")
    assert status == 200 and body["kind"] == "Pod"
    assert await gone(api, f"/api/v1/namespaces/{ns}/pods/free")


async def test_pod_on_a_node_stays_for_its_grace_period(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    path = await _bound_pod(api, ns, "slow", 3)
    started = time.monotonic()
    status, body = await api.delete(path)
    assert status == 200
    assert body["metadata"]["deletionGracePeriodSeconds"] == 3 and body["metadata"]["deletionTimestamp"]
    # asking for a longer period changes nothing; only a shorter one replaces the running one
    status, again = await api.delete(path, params={"gracePeriodSeconds": "60"})
    assert status == 200 and again["metadata"]["deletionGracePeriodSeconds"] == 3
    status, pod = await api.get(path)
    assert status == 200 and pod["metadata"]["deletionTimestamp"]
    await until_gone(api, path)
    assert time.monotonic() - started >= 2.0

    path = await _bound_pod(api, ns, "forced", 30)
    status, body = await api.delete(path, {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0})
    assert status == 200
    assert await gone(api, path)


async def test_background_propagation_collects_dependents(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    owner = await create(api, ns, configmap("owner"))
    for i in range(3):
        await create(api, ns, owned(f"dep-{i}", owner))
    status, _ = await api.delete(f"/api/v1/namespaces/{ns}/configmaps/owner",
                                 {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"})
    assert status == 200
    for i in range(3):
        await until_gone(api, f"/api/v1/namespaces/{ns}/configmaps/dep-{i}")


async def test_foreground_deletes_dependents_before_the_owner(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    owner = await create(api, ns, configmap("owner"))
    await create(api, ns, owned("blocker", owner, block=True, finalizers=["example.com/hold"]))
    await create(api, ns, owned("plain", owner))
    owner_path = f"/api/v1/namespaces/{ns}/configmaps/owner"
    status, body = await api.delete(owner_path, {"kind": "DeleteOptions", "apiVersion": "v1",
                                                 "propagationPolicy": "Foreground"})
    assert status == 200 and body["metadata"]["finalizers"] == ["foregroundDeletion"]

    async def blocker_deleting() -> bool:
        _, blocker = await api.get(f"/api/v1/namespaces/{ns}/configmaps/blocker")
        return bool(blocker["metadata"].get("deletionTimestamp"))

    await eventually(blocker_deleting)
    await until_gone(api, f"/api/v1/namespaces/{ns}/configmaps/plain")
    # the blocking dependent still exists, so the owner must too
    await asyncio.sleep(1.0)
    status, body = await api.get(owner_path)
    assert status == 200 and body["metadata"]["deletionTimestamp"]
    await drop_finalizers(api, f"/api/v1/namespaces/{ns}/configmaps/blocker")
    await until_gone(api, owner_path)


async def test_orphan_keeps_dependents_without_the_reference(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    owner = await create(api, ns, configmap("owner"))
    await create(api, ns, owned("child", owner))
    status, body = await api.delete(f"/api/v1/namespaces/{ns}/configmaps/owner",
                                    {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Orphan"})
    assert status == 200 and body["metadata"]["finalizers"] == ["orphan"]
    await until_gone(api, f"/api/v1/namespaces/{ns}/configmaps/owner")
    status, child = await api.get(f"/api/v1/namespaces/{ns}/configmaps/child")
    assert status == 200 and "ownerReferences" not in child["metadata"]


async def test_dependent_with_a_live_owner_loses_only_the_dangling_reference(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    first = await create(api, ns, configmap("first"))
    second = await create(api, ns, configmap("second"))
    child = owned("child", first)
    child["metadata"]["ownerReferences"] += owned("x", second)["metadata"]["ownerReferences"]
    await create(api, ns, child)
    await api.delete(f"/api/v1/namespaces/{ns}/configmaps/first")

    async def one_reference_left() -> bool:
        _, body = await api.get(f"/api/v1/namespaces/{ns}/configmaps/child")
        return [r["name"] for r in body["metadata"].get("ownerReferences", [])] == ["second"]

    await eventually(one_reference_left)
    await api.delete(f"/api/v1/namespaces/{ns}/configmaps/second")
    await until_gone(api, f"/api/v1/namespaces/{ns}/configmaps/child")


async def test_namespace_terminates_and_takes_its_content(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    status, created = await api.get(f"/api/v1/namespaces/{ns}")
    assert created["spec"]["finalizers"] == ["kubernetes"]
    await create(api, ns, configmap("a"))
    await _bound_pod(api, ns, "p", 2)
    status, body = await api.delete(f"/api/v1/namespaces/{ns}")
    assert status == 200 and body["status"]["phase"] == "Terminating" and body["metadata"]["deletionTimestamp"]

    status, refused = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("late"))
    assert status == 403 and refused["reason"] == "Forbidden"
    assert refused["message"] == (f'configmaps "late" is forbidden: unable to create new content in namespace {ns} '
                                  'because it is being terminated')
    assert refused["details"]["causes"][0]["reason"] == "NamespaceTerminating"

    await until_gone(api, f"/api/v1/namespaces/{ns}")
    # the namespace can be made again, empty
    await make_namespace(api, ns)
    _, listed = await api.get(f"/api/v1/namespaces/{ns}/configmaps")
    # kube-root-ca.crt is published again in the new namespace; the old content is gone
    assert [i["metadata"]["name"] for i in listed["items"]] in ([], [ROOT_CA_CONFIGMAP])


async def test_content_is_refused_right_after_the_namespace_delete(api, new_ns):
    """The replica that marked the namespace reads it live until its watch cache has the mark."""
    for _ in range(15):
        ns = new_ns()
        await make_namespace(api, ns)
        status, body = await api.delete(f"/api/v1/namespaces/{ns}")
        assert status == 200, body
        status, refused = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("late"))
        assert status == 403 and refused["details"]["causes"][0]["reason"] == "NamespaceTerminating", refused


async def test_namespace_with_remaining_content_reports_it(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    stuck = await held_configmap(api, ns, "stuck")
    await api.delete(f"/api/v1/namespaces/{ns}")

    async def reported() -> bool:
        _, body = await api.get(f"/api/v1/namespaces/{ns}")
        conditions = {c["type"]: c for c in body["status"].get("conditions", [])}
        remaining = conditions.get("NamespaceContentRemaining", {})
        return remaining.get("status") == "True" and "configmaps has 1 resource instances" in remaining["message"]

    await eventually(reported)
    await drop_finalizers(api, stuck)
    await until_gone(api, f"/api/v1/namespaces/{ns}")


async def test_system_namespaces_cannot_be_deleted(api):
    for name in ("default", "kube-system", "kube-public"):
        status, body = await api.delete(f"/api/v1/namespaces/{name}")
        assert status == 403
        assert body["message"] == f'namespaces "{name}" is forbidden: this namespace may not be deleted'


async def test_a_delete_body_overrides_the_query(api, new_ns):
    """As in kube, options come from the body when there is one; the query is read only without a body."""
    ns = new_ns()
    await make_namespace(api, ns)
    await create(api, ns, configmap("x"))
    path = f"/api/v1/namespaces/{ns}/configmaps/x"
    status, _ = await api.delete(path, {"kind": "DeleteOptions", "apiVersion": "v1"}, params={"dryRun": "All"})
    assert status == 200
    assert await gone(api, path)
