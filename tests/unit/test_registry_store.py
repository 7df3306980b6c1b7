"""RegistryStore, the generic store, on MemoryStorage: what kube's generic registry store decides for every
resource (conflicts, preconditions, finalizers, graceful deletion, dry runs, generation), without etcd."""
from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest

from apiserver.api.meta.errors import OBJECT_MODIFIED, StatusError
from apiserver.registry import store as store_module
from apiserver.registry.catalogue import Catalogue
from apiserver.registry.deletion import DeleteOptions
from apiserver.registry.store import RegistryStore
from apiserver.request.warnings import start_recording
from apiserver.storage.cacher import Cacher, WatchCache
from apiserver.storage.interface import Obj, Preconditions, Predicate, Storage
from apiserver.storage.memory import MemoryStorage
from tests.storage_contract import next_event

CATALOGUE = Catalogue()


def store_of(storage: Storage, group: str, version: str, plural: str,
             namespaces: RegistryStore | None = None) -> RegistryStore:
    info = CATALOGUE.lookup(group, version, plural)
    assert info is not None
    if namespaces is None:
        return RegistryStore(info, storage, "/registry")

    async def find_namespace(name: str) -> Obj | None:
        try:
            return await namespaces.get("", name)
        except StatusError:
            return None

    return RegistryStore(info, storage, "/registry", find_namespace)


def configmap(name: str, value: str = "1") -> Obj:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"v": value}}


def pod(name: str, node: str = "node-1") -> Obj:
    spec: Obj = {"containers": [{"name": "c", "image": "nginx"}], "terminationGracePeriodSeconds": 30}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def deployment(name: str, replicas: int = 1) -> Obj:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def changed(obj: Obj, **meta: object) -> Obj:
    new = copy.deepcopy(obj)
    new["metadata"].update(meta)
    return new


@pytest.fixture
def storage() -> MemoryStorage:
    return MemoryStorage()


@pytest.fixture
def configmaps(storage: MemoryStorage) -> RegistryStore:
    return store_of(storage, "", "v1", "configmaps")


async def missing(store: RegistryStore, namespace: str, name: str) -> bool:
    try:
        await store.get(namespace, name)
    except StatusError as exc:
        return exc.code == 404
    return False


# --- create -----------------------------------------------------------------------------------------------

async def test_create_fills_system_fields_and_a_second_create_is_already_exists(configmaps: RegistryStore,
                                                                                  storage: MemoryStorage) -> None:
    created = await configmaps.create("ns", configmap("a"))
    meta = created["metadata"]
    assert meta["namespace"] == "ns" and meta["uid"] and meta["creationTimestamp"]
    assert meta["resourceVersion"] == str(storage.written)
    with pytest.raises(StatusError) as exc:
        await configmaps.create("ns", configmap("a", "2"))
    assert (exc.value.code, exc.value.reason) == (409, "AlreadyExists")
    assert (await configmaps.get("ns", "a"))["data"] == {"v": "1"}


async def test_create_refuses_a_resource_version(configmaps: RegistryStore) -> None:
    with pytest.raises(StatusError) as exc:
        await configmaps.create("ns", changed(configmap("a"), resourceVersion="5"))
    assert exc.value.code == 400


async def test_generate_name_adds_a_suffix(configmaps: RegistryStore) -> None:
    made = await configmaps.create("ns", {"metadata": {"generateName": "gen-"}, "data": {}})
    name = made["metadata"]["name"]
    assert name.startswith("gen-") and len(name) == len("gen-") + 5


async def test_generate_name_tries_again_when_the_name_is_taken(configmaps: RegistryStore,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    await configmaps.create("ns", configmap("gen-bbbbb"))
    picks = iter("bbbbbccccc")
    monkeypatch.setattr(store_module, "secrets", SimpleNamespace(choice=lambda alphabet: next(picks)))
    made = await configmaps.create("ns", {"metadata": {"generateName": "gen-"}, "data": {}})
    assert made["metadata"]["name"] == "gen-ccccc"


async def test_create_needs_a_namespace_that_exists_and_is_not_terminating(storage: MemoryStorage) -> None:
    namespaces = store_of(storage, "", "v1", "namespaces")
    configmaps = store_of(storage, "", "v1", "configmaps", namespaces)
    with pytest.raises(StatusError) as exc:
        await configmaps.create("ns", configmap("a"))
    assert exc.value.code == 404
    await namespaces.create("", {"metadata": {"name": "ns"}})
    await configmaps.create("ns", configmap("a"))
    marked, now = await namespaces.delete("", "ns")
    assert not now and marked["status"]["phase"] == "Terminating"
    with pytest.raises(StatusError) as exc:
        await configmaps.create("ns", configmap("b"))
    assert exc.value.code == 403


# --- update -----------------------------------------------------------------------------------------------

async def test_update_with_a_stale_resource_version_is_a_conflict(configmaps: RegistryStore) -> None:
    created = await configmaps.create("ns", configmap("a"))
    read_at = created["metadata"]["resourceVersion"]
    updated, created_now = await configmaps.update("ns", "a", changed(configmap("a", "2"), resourceVersion=read_at))
    assert not created_now and int(updated["metadata"]["resourceVersion"]) > int(read_at)
    stale = changed(configmap("a", "3"), resourceVersion=read_at)
    with pytest.raises(StatusError) as exc:
        await configmaps.update("ns", "a", stale)
    assert (exc.value.code, exc.value.reason) == (409, "Conflict") and OBJECT_MODIFIED in exc.value.message
    assert (await configmaps.get("ns", "a"))["data"] == {"v": "2"}


async def test_update_without_a_resource_version_keeps_the_system_fields(configmaps: RegistryStore) -> None:
    created = await configmaps.create("ns", configmap("a"))
    updated, _ = await configmaps.update("ns", "a", changed(configmap("a", "2"), uid="forged"))
    assert updated["metadata"]["uid"] == created["metadata"]["uid"]
    assert updated["metadata"]["creationTimestamp"] == created["metadata"]["creationTimestamp"]


async def test_update_of_a_missing_object_is_not_found(configmaps: RegistryStore) -> None:
    with pytest.raises(StatusError) as exc:
        await configmaps.update("ns", "a", configmap("a"))
    assert exc.value.code == 404


# --- delete -----------------------------------------------------------------------------------------------

async def test_delete_preconditions(configmaps: RegistryStore) -> None:
    created = await configmaps.create("ns", configmap("a"))
    meta = created["metadata"]
    for wrong in (Preconditions(uid="someone-else"), Preconditions(resource_version="1")):
        with pytest.raises(StatusError) as exc:
            await configmaps.delete("ns", "a", DeleteOptions(preconditions=wrong))
        assert (exc.value.code, exc.value.reason) == (409, "Conflict")
    deleted, now = await configmaps.delete("ns", "a", DeleteOptions(preconditions=Preconditions(
        uid=meta["uid"], resource_version=meta["resourceVersion"])))
    assert now and deleted["metadata"]["uid"] == meta["uid"]
    assert await missing(configmaps, "ns", "a")


async def test_finalizers_hold_a_deleted_object_until_the_last_one_goes(configmaps: RegistryStore) -> None:
    await configmaps.create("ns", changed(configmap("a"), finalizers=["example.com/one", "example.com/two"]))
    marked, now = await configmaps.delete("ns", "a")
    assert not now and marked["metadata"]["deletionTimestamp"]
    assert marked["metadata"]["deletionGracePeriodSeconds"] == 0
    one_left, _ = await configmaps.update("ns", "a", changed(marked, finalizers=["example.com/two"]))
    assert one_left["metadata"]["deletionTimestamp"] == marked["metadata"]["deletionTimestamp"]
    with pytest.raises(StatusError) as exc:
        await configmaps.update("ns", "a", changed(one_left, finalizers=["example.com/two", "example.com/new"]))
    assert exc.value.code == 422
    await configmaps.update("ns", "a", changed(one_left, finalizers=[]))
    assert await missing(configmaps, "ns", "a")


async def test_graceful_deletion_of_a_pod_marks_it_and_grace_zero_removes_it(storage: MemoryStorage) -> None:
    pods = store_of(storage, "", "v1", "pods")
    await pods.create("ns", pod("p"))
    marked, now = await pods.delete("ns", "p", DeleteOptions(grace_period_seconds=20))
    meta = marked["metadata"]
    assert not now and meta["deletionGracePeriodSeconds"] == 20 and meta["deletionTimestamp"]
    # a longer grace period changes nothing while one runs
    again, now = await pods.delete("ns", "p", DeleteOptions(grace_period_seconds=60))
    assert not now and again["metadata"]["resourceVersion"] == meta["resourceVersion"]
    gone, now = await pods.delete("ns", "p", DeleteOptions(grace_period_seconds=0))
    assert now and await missing(pods, "ns", "p")


async def test_a_pod_on_no_node_is_deleted_at_once(storage: MemoryStorage) -> None:
    pods = store_of(storage, "", "v1", "pods")
    await pods.create("ns", pod("p", node=""))
    _, now = await pods.delete("ns", "p")
    assert now and await missing(pods, "ns", "p")


# --- dry run ----------------------------------------------------------------------------------------------

async def test_dry_run_create_update_and_delete_write_nothing(configmaps: RegistryStore,
                                                              storage: MemoryStorage) -> None:
    created = await configmaps.create("ns", configmap("a"))
    revision = await storage.current_revision()
    would_be = await configmaps.create("ns", configmap("b"), dry_run=True)
    assert would_be["metadata"]["name"] == "b" and await missing(configmaps, "ns", "b")
    updated, _ = await configmaps.update("ns", "a", configmap("a", "2"), dry_run=True)
    assert updated["data"] == {"v": "2"}
    _, now = await configmaps.delete("ns", "a", DeleteOptions(dry_run=True))
    assert now
    assert await storage.current_revision() == revision
    assert await configmaps.get("ns", "a") == created


# --- generation -------------------------------------------------------------------------------------------

async def test_generation_follows_spec_changes_only(storage: MemoryStorage) -> None:
    deployments = store_of(storage, "apps", "v1", "deployments")
    created = await deployments.create("ns", deployment("web"))
    assert created["metadata"]["generation"] == 1
    relabelled, _ = await deployments.update("ns", "web", changed(created, labels={"tier": "front"}))
    assert relabelled["metadata"]["generation"] == 1
    assert relabelled["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"]
    with_status = await deployments.update_subresource("ns", "web", "status",
                                                       {**relabelled, "status": {"replicas": 1}})
    assert with_status["metadata"]["generation"] == 1 and with_status["status"]["replicas"] == 1
    # the main resource keeps the stored status whatever it is sent
    ignored, _ = await deployments.update("ns", "web", {**with_status, "status": {"replicas": 7}})
    assert ignored["status"]["replicas"] == 1 and ignored["metadata"]["generation"] == 1
    scaled = copy.deepcopy(ignored)
    scaled["spec"]["replicas"] = 3
    scaled, _ = await deployments.update("ns", "web", scaled)
    assert scaled["metadata"]["generation"] == 2


# --- watch ------------------------------------------------------------------------------------------------

async def test_a_watch_through_a_cacher_starts_with_the_state_then_follows(storage: MemoryStorage) -> None:
    cache = WatchCache(storage, "/registry/configmaps/", 10)
    configmaps = store_of(Cacher(storage, cache), "", "v1", "configmaps")
    stored = [await configmaps.create("ns", configmap("a"))]
    cache.start()
    try:
        # "0": the cache's state; "": a consistent list from the storage
        for resource_version in ("0", ""):
            start = await configmaps.watch("ns", resource_version, Predicate(), None)
            assert start.initial == stored
            stored.append(await configmaps.create("ns", configmap(f"b{len(stored)}")))
            event = await next_event(start.watch)
            assert (event.type, event.object) == ("ADDED", stored[-1])
            start.watch.stop()
    finally:
        await cache.stop()


async def test_warnings_go_out_only_with_a_write_every_check_accepted(storage: MemoryStorage) -> None:
    runtime_classes = store_of(storage, "node.k8s.io", "v1", "runtimeclasses")
    selector = {"nodeSelector": {"failure-domain.beta.kubernetes.io/zone": "a"}}
    sink = start_recording()
    with pytest.raises(StatusError):
        await runtime_classes.create("", {"metadata": {"name": "bad"}, "handler": "Bad", "scheduling": selector})
    assert sink == []
    await runtime_classes.create("", {"metadata": {"name": "good"}, "handler": "runc", "scheduling": selector})
    assert sink == ['scheduling.nodeSelector: deprecated since v1.17; use "topology.kubernetes.io/zone" instead']


async def test_status_writes_are_checked_by_the_status_rules(storage: MemoryStorage) -> None:
    budgets = store_of(storage, "policy", "v1", "poddisruptionbudgets")
    created = await budgets.create("ns", {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                                          "metadata": {"name": "b", "namespace": "ns"}, "spec": {"minAvailable": 1}})
    written = copy.deepcopy(created)
    written["status"]["expectedPods"] = -1
    with pytest.raises(StatusError) as refused:
        await budgets.update_subresource("ns", "b", "status", written)
    assert refused.value.code == 422
    assert [c.field for c in refused.value.causes] == ["status.expectedPods"]
    written["status"]["expectedPods"] = 2
    assert (await budgets.update_subresource("ns", "b", "status", written))["status"]["expectedPods"] == 2
