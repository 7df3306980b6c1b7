"""Watch semantics: replay, initial state, selector transitions, bookmarks, 410, watch-list."""
from __future__ import annotations

import asyncio

from tests.integration.conftest import ROOT_CA_CONFIGMAP, configmap, make_namespace, root_ca_published
from tests.integration.etcd_tools import compact
from tests.polling import eventually


def _summary(events):
    return [(e["type"], e["object"]["metadata"].get("name")) for e in events]


async def test_watch_replays_after_resource_version(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    # published before the watched writes: not replayed among them
    await root_ca_published(api, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps"
    _, a = await api.post(path, configmap("a"))
    await api.post(path, configmap("b"))
    _, c = await api.put(f"{path}/a", configmap("a", {"v": "2"}))
    await api.delete(f"{path}/a")
    events = await api.watch(path, {"resourceVersion": a["metadata"]["resourceVersion"]},
                             until=lambda ev: len(ev) == 3)
    assert _summary(events) == [("ADDED", "b"), ("MODIFIED", "a"), ("DELETED", "a")]
    revisions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert revisions == sorted(revisions) and revisions[1] == int(c["metadata"]["resourceVersion"])
    assert revisions[2] > revisions[1]


async def test_watch_without_resource_version_starts_with_current_state(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    await root_ca_published(api, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps"
    await api.post(path, configmap("x"))
    await api.post(path, configmap("y"))
    for params in ({}, {"resourceVersion": "0"}):
        existing = sorted(i["metadata"]["name"] for i in (await api.get(path))[1]["items"])
        name = f"z{len(params)}"
        events = await _initial_state_then_write(api, path, params, len(existing), configmap(name))
        assert _summary(events) == [("ADDED", n) for n in existing] + [("ADDED", name)]


async def _initial_state_then_write(api, path: str, params: dict, existing: int, obj: dict) -> list[dict]:
    """The events of a watch that first delivers `existing` objects, and then sees `obj` created."""
    events: list[dict] = []

    async def consume() -> None:
        async for event in api.stream(path, params):
            events.append(event)
            if len(events) == existing + 1:
                return

    task = asyncio.create_task(consume())
    try:
        # the initial state delivered: the watch is open, so the write comes as an event
        await eventually(lambda: len(events) >= existing, what="the initial events")
        await api.post(path, obj)
        await asyncio.wait_for(task, 10)
    finally:
        task.cancel()
    return events


async def test_selector_transitions(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps"
    _, start = await api.post(path, configmap("other", labels={"env": "dev"}))
    await api.post(path, configmap("t", labels={"env": "dev"}))
    await api.put(f"{path}/t", configmap("t", labels={"env": "prod"}))
    await api.put(f"{path}/t", configmap("t", {"x": "1"}, labels={"env": "prod"}))
    _, left = await api.put(f"{path}/t", configmap("t", labels={"env": "dev"}))
    await api.put(f"{path}/t", configmap("t", labels={"env": "prod"}))
    await api.delete(f"{path}/t")
    events = await api.watch(path, {"resourceVersion": start["metadata"]["resourceVersion"],
                                    "labelSelector": "env=prod"}, until=lambda ev: len(ev) == 5)
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED", "ADDED", "DELETED"]
    # leaving the selector: the last state the watcher could see, at the revision of the change (kube's cacher)
    assert events[2]["object"]["metadata"]["labels"] == {"env": "prod"}
    assert events[2]["object"]["data"] == {"x": "1"}
    assert events[2]["object"]["metadata"]["resourceVersion"] == left["metadata"]["resourceVersion"]


async def test_bookmarks_and_timeout(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps"
    _, created = await api.post(path, configmap("bm"))
    rv = created["metadata"]["resourceVersion"]
    loop = asyncio.get_running_loop()
    started = loop.time()
    events = await api.watch(path, {"resourceVersion": rv, "allowWatchBookmarks": "true", "timeoutSeconds": "3"})
    elapsed = loop.time() - started
    assert 2.5 <= elapsed < 8, elapsed
    bookmarks = [e for e in events if e["type"] == "BOOKMARK"]
    assert bookmarks, events
    assert bookmarks[-1]["object"]["kind"] == "ConfigMap"
    assert int(bookmarks[-1]["object"]["metadata"]["resourceVersion"]) >= int(rv)
    without = await api.watch(path, {"resourceVersion": rv, "timeoutSeconds": "2"})
    assert not [e for e in without if e["type"] == "BOOKMARK"]


async def test_watch_list_initial_events_end_with_bookmark(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    await root_ca_published(api, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps"
    await api.post(path, configmap("w1"))
    await api.post(path, configmap("w2"))
    events = await api.watch(path, {"sendInitialEvents": "true", "resourceVersionMatch": "NotOlderThan",
                                    "allowWatchBookmarks": "true"}, until=lambda ev: ev[-1]["type"] == "BOOKMARK")
    assert _summary(events[:3]) == [("ADDED", ROOT_CA_CONFIGMAP), ("ADDED", "w1"), ("ADDED", "w2")]
    assert events[3]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    status, body = await api.get(path, params={"watch": "true", "sendInitialEvents": "true"})
    assert (status, body["reason"]) == (422, "Invalid")


async def test_legacy_watch_path_and_name_selector(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    _, start = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("noise"))
    await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("target"))
    await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("target2"))
    await api.delete(f"/api/v1/namespaces/{ns}/configmaps/target")
    events = await api.watch(f"/api/v1/watch/namespaces/{ns}/configmaps",
                             {"resourceVersion": start["metadata"]["resourceVersion"],
                              "fieldSelector": "metadata.name=target"}, until=lambda ev: len(ev) == 2)
    assert _summary(events) == [("ADDED", "target"), ("DELETED", "target")]


async def test_watch_query_on_one_object_is_a_plain_get(api, new_ns):
    # kube turns only collection reads into watches: GET .../configmaps/c?watch=true answers the object
    ns = new_ns()
    await make_namespace(api, ns)
    await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("c"))
    # (timeoutSeconds ends the request should it wrongly become a watch)
    status, body = await api.get(f"/api/v1/namespaces/{ns}/configmaps/c",
                                 params={"watch": "true", "timeoutSeconds": "2"})
    assert status == 200 and isinstance(body, dict), body
    assert (body["kind"], body["metadata"]["name"]) == ("ConfigMap", "c")


async def test_old_revisions_come_from_etcd_then_410_after_compaction(api, new_ns, etcd_cluster, pki):
    ns = new_ns()
    await make_namespace(api, ns)
    await root_ca_published(api, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps"
    _, first = await api.post(path, configmap("old-0"))
    start = first["metadata"]["resourceVersion"]
    # push the start revision out of the 50-event ring buffer
    for i in range(1, 61):
        await api.post(path, configmap(f"old-{i}"))
    events = await api.watch(path, {"resourceVersion": start}, until=lambda ev: len(ev) == 60)
    assert [e["object"]["metadata"]["name"] for e in events] == [f"old-{i}" for i in range(1, 61)]
    compact(etcd_cluster, pki)
    events = await api.watch(path, {"resourceVersion": start})
    assert len(events) == 1 and events[0]["type"] == "ERROR"
    status = events[0]["object"]
    assert status["kind"] == "Status" and status["code"] == 410 and status["reason"] == "Expired"
    assert status["message"].startswith(f"too old resource version: {start}")


async def test_cache_relists_when_etcd_compacts_under_it(replica_factory, pki, etcd_cluster):
    """Freeze a replica so its etcd watch falls behind, compact past it, thaw it: whether etcd still hands
    the stalled watch its events or cancels it as compacted (then the cache relists and closes its
    watchers), the cache ends up complete and no client watch ever skips an event."""
    import os
    import signal

    from cluster.replica import client_context
    from tests.integration.conftest import Api, process_stopped
    prefix = "/registry-compact-under-cache"
    frozen = replica_factory(prefix=prefix)
    writer = replica_factory(prefix=prefix)
    a = Api(frozen.url, client_context(pki))
    b = Api(writer.url, client_context(pki))
    try:
        ns = "compacted"
        await make_namespace(b, ns)
        await b.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("before"))
        events: list[dict] = []

        async def consume() -> None:
            # the server ends the watch (timeoutSeconds); the client's own limit must outlast the frozen spell,
            # however long the 300 writes take on a busy machine
            async for event in a.stream(f"/api/v1/namespaces/{ns}/configmaps",
                                        {"resourceVersion": "0", "timeoutSeconds": "12"}, timeout=600):
                events.append(event)

        stream = asyncio.create_task(consume())
        # "before" seen, in the initial state or as an event: the watch is open before the replica is frozen
        await eventually(lambda: events, what="the first event of the frozen replica's watch")
        os.kill(frozen.process.pid, signal.SIGSTOP)
        try:
            await eventually(lambda: process_stopped(frozen.process.pid), what="the replica stopped")
            for i in range(300):
                await b.post(f"/api/v1/namespaces/{ns}/configmaps", configmap(f"c{i}", {"pad": "x" * 2000}))
            compact(etcd_cluster, pki)
        finally:
            os.kill(frozen.process.pid, signal.SIGCONT)

        # the frozen replica's watchers are closed or continue without holes; its cache ends up complete
        async def cache_complete() -> bool:
            status, body = await a.get(f"/api/v1/namespaces/{ns}/configmaps", params={"resourceVersion": "0"})
            assert status == 200, body
            # the leader publishes the namespace's kube-root-ca.crt at a moment of its own
            return len([i for i in body["items"] if i["metadata"]["name"] != ROOT_CA_CONFIGMAP]) == 301

        await eventually(cache_complete)
        await asyncio.wait_for(stream, 60)
        names = [e["object"]["metadata"]["name"] for e in events if e["type"] == "ADDED"
                 and e["object"]["metadata"]["name"] not in ("before", ROOT_CA_CONFIGMAP)]
        assert names == [f"c{i}" for i in range(len(names))], "a watch must never skip events"
    finally:
        await a.close()
        await b.close()
        frozen.stop()
        writer.stop()
