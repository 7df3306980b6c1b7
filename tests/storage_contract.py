"""The storage contract of apiserver/storage/interface.py as tests, for every `WatchableStorage`.

`StorageContract` is subclassed once per implementation (MemoryStorage in tests/unit, Etcd3Storage on real
etcd in tests/integration); the subclass provides `backend`, a storage with a prefix of its own, and
`compacting_backend`, one whose history the test may compact.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from apiserver.api.meta.labels import parse_label_selector
from apiserver.storage.cacher import Cacher, WatchCache
from apiserver.storage.interface import (
    Change,
    Expired,
    InvalidListRequest,
    KeyExists,
    KeyNotFound,
    ListOptions,
    Obj,
    Preconditions,
    Predicate,
    ResourceVersionConflict,
    TooLargeResourceVersion,
    Watch,
    WatchableStorage,
    WatchEvent,
)
from tests.polling import eventually


@dataclass
class Backend:
    storage: WatchableStorage
    prefix: str  # a collection of namespaced objects, e.g. /registry/configmaps/
    compact: Callable[[int], Awaitable[None]]


def configmap(name: str, value: str = "1", labels: dict[str, str] | None = None) -> Obj:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "ns", "labels": labels or {}}, "data": {"v": value}}


def rv(obj: Obj) -> int:
    return int(obj["metadata"]["resourceVersion"])


def labelled(selector: str) -> Predicate:
    return Predicate(label=parse_label_selector(selector),
                     attrs=lambda obj: (obj["metadata"].get("labels") or {}, {}))


def setting(value: str) -> Callable[[Obj | None], Awaitable[Obj]]:
    async def update(current: Obj | None) -> Obj:
        assert current is not None
        return {**current, "data": {"v": value}}
    return update


async def next_event(watch: Watch, timeout: float = 5.0) -> WatchEvent:
    """The next event other than progress (which `next` reports as None)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = await watch.next(0.1)
        if event is not None:
            return event
    raise AssertionError("no event")


class StorageContract:
    # --- writes ---------------------------------------------------------------------------------------

    async def test_create_stamps_the_write_revision_and_refuses_an_existing_key(self, backend: Backend) -> None:
        s, p = backend.storage, backend.prefix
        a = await s.create(p + "ns/a", configmap("a"))
        b = await s.create(p + "ns/b", configmap("b"))
        assert rv(b) > rv(a) and a["data"] == {"v": "1"}
        assert await s.current_revision() >= rv(b) and s.written == rv(b)
        assert await s.get(p + "ns/a") == a
        with pytest.raises(KeyExists):
            await s.create(p + "ns/a", configmap("a", "2"))

    async def test_reads_return_objects_of_their_own(self, backend: Backend) -> None:
        s, p = backend.storage, backend.prefix
        await s.create(p + "ns/a", configmap("a"))
        (await s.get(p + "ns/a"))["data"]["v"] = "changed by a reader"
        assert (await s.get(p + "ns/a"))["data"] == {"v": "1"}

    async def test_guaranteed_update_swaps_on_the_mod_revision_and_retries_a_lost_race(self,
                                                                                       backend: Backend) -> None:
        s, p = backend.storage, backend.prefix
        created = await s.create(p + "ns/a", configmap("a"))
        seen: list[int] = []

        async def racing(current: Obj | None) -> Obj:
            assert current is not None
            seen.append(rv(current))
            if len(seen) == 1:
                # another writer gets in between this read and its write
                await s.guaranteed_update(p + "ns/a", setting("other"))
            return {**current, "data": {"v": current["data"]["v"] + "+mine"}}

        updated, created_now = await s.guaranteed_update(p + "ns/a", racing)
        assert not created_now and updated["data"] == {"v": "other+mine"}
        assert seen[0] == rv(created) and seen[1] > seen[0] and rv(updated) > seen[1]

    async def test_an_update_that_changes_nothing_writes_nothing(self, backend: Backend) -> None:
        s, p = backend.storage, backend.prefix
        created = await s.create(p + "ns/a", configmap("a"))
        same, _ = await s.guaranteed_update(p + "ns/a", setting("1"))
        assert rv(same) == rv(created) and s.written == rv(created)

    async def test_guaranteed_update_preconditions_and_create(self, backend: Backend) -> None:
        s, p = backend.storage, backend.prefix
        created = await s.create(p + "ns/a", configmap("a"))
        with pytest.raises(ResourceVersionConflict) as conflict:
            await s.guaranteed_update(p + "ns/a", setting("2"), Preconditions(resource_version="1"))
        assert conflict.value.current == created
        with pytest.raises(KeyNotFound):
            await s.guaranteed_update(p + "ns/b", setting("2"))

        async def make(current: Obj | None) -> Obj:
            assert current is None
            return configmap("b")

        made, created_now = await s.guaranteed_update(p + "ns/b", make, allow_create=True)
        assert created_now and rv(made) > rv(created)

    async def test_delete_checks_preconditions_and_the_validator_then_compares(self, backend: Backend) -> None:
        s, p = backend.storage, backend.prefix
        created = await s.create(p + "ns/a", configmap("a"))
        with pytest.raises(ResourceVersionConflict):
            await s.delete(p + "ns/a", Preconditions(uid="someone-else"))

        async def refuse(obj: Obj) -> None:
            raise RuntimeError("refused")

        with pytest.raises(RuntimeError):
            await s.delete(p + "ns/a", validate=refuse)
        deleted = await s.delete(p + "ns/a", Preconditions(resource_version=str(rv(created))))
        assert deleted == created and s.written > rv(created)
        with pytest.raises(KeyNotFound):
            await s.get(p + "ns/a")
        with pytest.raises(KeyNotFound):
            await s.delete(p + "ns/a")

    # --- reads at a revision ----------------------------------------------------------------------------

    async def test_get_at_a_past_revision(self, backend: Backend) -> None:
        s, p = backend.storage, backend.prefix
        first = await s.create(p + "ns/a", configmap("a"))
        await s.guaranteed_update(p + "ns/a", setting("2"))
        assert await s.get(p + "ns/a", str(rv(first))) == first

    async def test_list_pages_stay_at_the_first_page_revision(self, backend: Backend) -> None:
        s, p = backend.storage, backend.prefix
        for name in "abcde":
            await s.create(p + f"ns/{name}", configmap(name))
        first = await s.get_list(p, ListOptions(limit=2))
        assert [o["metadata"]["name"] for o in first.items] == ["a", "b"]
        assert first.continue_token and first.remaining_item_count == 3
        # writes after the first page do not show in the next ones
        await s.delete(p + "ns/c")
        await s.create(p + "ns/f", configmap("f"))
        second = await s.get_list(p, ListOptions(limit=2, continue_token=first.continue_token))
        third = await s.get_list(p, ListOptions(limit=2, continue_token=second.continue_token))
        assert [o["metadata"]["name"] for o in second.items + third.items] == ["c", "d", "e"]
        assert first.resource_version == second.resource_version == third.resource_version
        assert not third.continue_token and third.remaining_item_count is None
        now = await s.get_list(p, ListOptions())
        assert [o["metadata"]["name"] for o in now.items] == ["a", "b", "d", "e", "f"]

    async def test_list_with_a_selector_and_a_limit_counts_matches(self, backend: Backend) -> None:
        s, p = backend.storage, backend.prefix
        for i, name in enumerate("abcde"):
            await s.create(p + f"ns/{name}", configmap(name, labels={"even": str(i % 2 == 0)}))
        page = await s.get_list(p, ListOptions(limit=2, predicate=labelled("even=True")))
        assert [o["metadata"]["name"] for o in page.items] == ["a", "c"]
        assert page.continue_token and page.remaining_item_count is None
        rest = await s.get_list(p, ListOptions(limit=2, predicate=labelled("even=True"),
                                               continue_token=page.continue_token))
        assert [o["metadata"]["name"] for o in rest.items] == ["e"] and not rest.continue_token

    async def test_list_resource_version_rules(self, backend: Backend) -> None:
        s, p = backend.storage, backend.prefix
        a = await s.create(p + "ns/a", configmap("a"))
        await s.create(p + "ns/b", configmap("b"))
        exact = await s.get_list(p, ListOptions(resource_version=str(rv(a)), resource_version_match="Exact"))
        assert [o["metadata"]["name"] for o in exact.items] == ["a"] and exact.resource_version == rv(a)
        with pytest.raises(TooLargeResourceVersion):
            await s.get_list(p, ListOptions(resource_version=str(await s.current_revision() + 100)))
        page = await s.get_list(p, ListOptions(limit=1))
        with pytest.raises(InvalidListRequest):
            await s.get_list(p, ListOptions(limit=1, continue_token=page.continue_token, resource_version="5"))
        with pytest.raises(InvalidListRequest):
            await s.get_list(p, ListOptions(continue_token="not a token"))

    # --- watching ---------------------------------------------------------------------------------------

    async def test_watch_from_a_revision_replays_every_change(self, backend: Backend) -> None:
        s, p = backend.storage, backend.prefix
        start = await s.current_revision()
        a = await s.create(p + "ns/a", configmap("a"))
        a2, _ = await s.guaranteed_update(p + "ns/a", setting("2"))
        await s.delete(p + "ns/a")
        deleted_at = s.written
        watch = await s.watch(p, start, Predicate())
        try:
            events = [await next_event(watch) for _ in range(3)]
        finally:
            watch.stop()
        assert [(e.type, e.resource_version) for e in events] == [
            ("ADDED", rv(a)), ("MODIFIED", rv(a2)), ("DELETED", deleted_at)]
        # a deletion carries the last state, stamped with the revision of the deletion
        assert events[2].object["data"] == {"v": "2"} and rv(events[2].object) == deleted_at

    async def test_watch_with_a_selector_sees_objects_leave_and_enter(self, backend: Backend) -> None:
        s, p = backend.storage, backend.prefix
        await s.create(p + "ns/a", configmap("a", labels={"app": "x"}))
        watch = await s.watch(p, await s.current_revision(), labelled("app=x"))

        def relabel(value: str) -> Callable[[Obj | None], Awaitable[Obj]]:
            async def update(current: Obj | None) -> Obj:
                assert current is not None
                return {**current, "metadata": {**current["metadata"], "labels": {"app": value}}}
            return update

        try:
            await s.guaranteed_update(p + "ns/a", relabel("y"))
            left = await next_event(watch)
            await s.guaranteed_update(p + "ns/a", relabel("x"))
            entered = await next_event(watch)
        finally:
            watch.stop()
        assert (left.type, left.object["metadata"]["labels"]) == ("DELETED", {"app": "x"})
        assert (entered.type, entered.object["metadata"]["labels"]) == ("ADDED", {"app": "x"})

    async def test_the_change_feed_and_contents(self, backend: Backend) -> None:
        s, p = backend.storage, backend.prefix
        a = await s.create(p + "ns/a", configmap("a"))
        found, revision = await s.contents(p)
        assert [(c.key, c.object) for c in found] == [(p + "ns/a", a)] and revision >= rv(a)
        feed = s.changes(p, revision)
        try:
            await s.guaranteed_update(p + "ns/a", setting("2"))
            await s.create(p + "ns/b", configmap("b"))
            changes: list[Change] = []
            while len(changes) < 2:
                changes += (await asyncio.wait_for(anext(feed), 5)).changes
        finally:
            await feed.aclose()
        assert [(c.key, c.created, c.prev) for c in changes] == [(p + "ns/a", False, None), (p + "ns/b", True, None)]
        assert changes[0].object is not None and changes[0].object["data"] == {"v": "2"}

    async def test_compaction_expires_older_reads_lists_and_watches(self, compacting_backend: Backend) -> None:
        s, p = compacting_backend.storage, compacting_backend.prefix
        old = await s.create(p + "ns/a", configmap("a"))
        await s.create(p + "ns/b", configmap("b"))
        page = await s.get_list(p, ListOptions(limit=1))
        kept = await s.create(p + "ns/c", configmap("c"))
        await compacting_backend.compact(rv(kept))
        with pytest.raises(Expired):
            await s.get(p + "ns/a", str(rv(old)))
        with pytest.raises(Expired):
            await s.get_list(p, ListOptions(resource_version=str(rv(old)), resource_version_match="Exact"))
        with pytest.raises(Expired, match="continue parameter is too old"):
            await s.get_list(p, ListOptions(limit=1, continue_token=page.continue_token))
        watch = await s.watch(p, rv(old), Predicate())
        try:
            with pytest.raises(Expired):
                await next_event(watch)
        finally:
            watch.stop()
        # the compacted revision itself is kept
        assert await s.get(p + "ns/c", str(rv(kept))) == kept
        watch = await s.watch(p, rv(kept) - 1, Predicate())
        try:
            assert (await next_event(watch)).object == kept
        finally:
            watch.stop()

    # --- a watch cache over the storage ----------------------------------------------------------------

    async def test_a_cacher_serves_from_its_watch_cache_over_the_storage(self, backend: Backend) -> None:
        s, p = backend.storage, backend.prefix
        a = await s.create(p + "ns/a", configmap("a"))
        cache = WatchCache(s, p, capacity=2)
        cacher = Cacher(s, cache)
        cache.start()
        try:
            listed = await cacher.get_list(p, ListOptions(resource_version="0"))
            assert listed.items == [a]
            watch = await cacher.watch(p, listed.resource_version, Predicate())
            b = await cacher.create(p + "ns/b", configmap("b"))
            added = await next_event(watch)
            assert (added.type, added.object) == ("ADDED", b)
            await eventually(cacher.holds_own_writes, interval=0.01, what="the cache holds its own writes")
            assert await cacher.get(p + "ns/b", "0") is added.object
            for value in "234":
                await cacher.guaranteed_update(p + "ns/a", setting(value))
            await eventually(cacher.holds_own_writes, interval=0.01, what="the cache holds its own writes")
            assert cache.oldest_revision > listed.resource_version
            # older than the ring buffer: the storage's own watch serves it
            old = await cacher.watch(p, listed.resource_version, Predicate())
            try:
                assert (await next_event(old)).object == b
            finally:
                old.stop()
            watch.stop()
        finally:
            await cache.stop()
