"""The watch cache of one resource: current state plus a ring buffer of recent events, fed by the change feed
of the storage beneath it (etcd in a replica).

Writes and consistent reads go to that storage; the cache serves watches and reads that accept any recent state
(resourceVersion="0", or NotOlderThan a revision the cache has reached). Objects held here are shared by
every reader and must never be mutated.

A stored value the cache cannot read never stops the cache. One that no configured key decrypts is flagged:
reads from the cache then answer as etcd would — a GET of that key and a list that covers it fail with the
same 500 — and watchers see no event for it; the flag goes when the key is written or deleted, or when a
reload of the encryption configuration makes the cache list again. One that decrypts but is not an object
is left out of the cache (GETs of it answer 500 from etcd), as before encryption existed.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from contextlib import aclosing
from dataclasses import replace

from apiserver.storage.etcd_client import EtcdError
from apiserver.storage.event_filter import KeyEvent, event_of, filter_event
from apiserver.storage.interface import (
    Change,
    CorruptObject,
    DeleteValidator,
    Expired,
    KeyNotFound,
    ListOptions,
    ListResult,
    Obj,
    Preconditions,
    Predicate,
    UnreadableObject,
    UpdateFunc,
    Watch,
    WatchableStorage,
    WatchClosed,
    WatchEvent,
    parse_resource_version,
)

log = logging.getLogger(__name__)

# a watcher whose client reads slower than this many pending events is closed; it re-watches from its
# last resourceVersion, which is cheaper than buffering without bound
WATCHER_QUEUE = 4096
RELIST_BACKOFF = (0.1, 2.0)


class CacheWatcher:
    def __init__(self, cache: WatchCache, prefix: str, min_revision: int, predicate: Predicate) -> None:
        self.cache = cache
        self.prefix = prefix
        self.min_revision = min_revision
        self.predicate = predicate
        self.queue: asyncio.Queue[WatchEvent | None] = asyncio.Queue(WATCHER_QUEUE)
        self.closed = False

    def offer(self, event: KeyEvent) -> None:
        if self.closed or event.revision <= self.min_revision:
            return
        out = filter_event(event.type, event.object, event.prev, event.revision, self.predicate)
        if out is None:
            return
        try:
            self.queue.put_nowait(out)
        except asyncio.QueueFull:
            log.warning("closing a watch on %s: its client reads too slowly", self.prefix)
            self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.cache.unregister(self)
            # the end marker must fit even when the queue is full
            while self.queue.full():
                self.queue.get_nowait()
            self.queue.put_nowait(None)

    def stop(self) -> None:
        self.close()

    def progress_revision(self) -> int:
        return max(self.cache.revision, self.min_revision)

    async def next(self, timeout: float) -> WatchEvent | None:
        try:
            # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancellation that arrives as
            # the item does, and a cancelled informer would then go on for good
            async with asyncio.timeout(timeout):
                event = await self.queue.get()
        except TimeoutError:
            return None
        if event is None:
            self.queue.put_nowait(None)
            raise WatchClosed()
        return event


class WatchCache:
    """State and history of one resource prefix (e.g. `/registry/configmaps/`)."""

    def __init__(self, storage: WatchableStorage, prefix: str, capacity: int) -> None:
        self.storage = storage
        self.prefix = prefix
        self.capacity = max(capacity, 1)
        self.state: dict[str, dict[str, Obj]] = {}   # namespace ("" if cluster-scoped) -> key -> object
        self.unreadable: dict[str, UnreadableObject] = {}   # key -> why no key decrypts its current value
        self.events: deque[KeyEvent] = deque()
        self.revision = 0
        # every event with a revision above this one is in the ring buffer
        self.oldest_revision = 0
        self.watchers: dict[str, set[CacheWatcher]] = {}
        self.ready = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.last_sync = 0.0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"watch-cache {self.prefix}")

    def relist(self) -> None:
        """Start over from a fresh list (the encryption keys changed, so flagged values may read now); watchers
        are closed and re-watch, from etcd if their revision predates the new list."""
        if self._task:
            self._task.cancel()
        self.ready.clear()
        self._terminate_watchers()
        self.start()

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._terminate_watchers()

    # --- filling the cache ---------------------------------------------------------------------------

    async def _run(self) -> None:
        delay = RELIST_BACKOFF[0]
        while True:
            try:
                await self._list()
                delay = RELIST_BACKOFF[0]
                await self._follow()
            except asyncio.CancelledError:
                raise
            except Expired:
                log.info("watch cache %s: storage compacted past our revision, relisting", self.prefix)
            except (EtcdError, OSError) as exc:
                log.warning("watch cache %s: %s; relisting in %.1fs", self.prefix, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RELIST_BACKOFF[1])
            except Exception:
                log.exception("watch cache %s failed; relisting in %.1fs", self.prefix, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RELIST_BACKOFF[1])
            self.ready.clear()
            self._terminate_watchers()

    async def _list(self) -> None:
        found, revision = await self.storage.contents(self.prefix)
        state: dict[str, dict[str, Obj]] = {}
        self.unreadable = {}
        for change in found:
            if change.error is not None:
                self._unreadable(change.key, change.error)
            elif change.object is not None:
                state.setdefault(self._namespace_of(change.key), {})[change.key] = change.object
        self.state = state
        self.events.clear()
        self.revision = self.oldest_revision = revision
        self.last_sync = time.monotonic()
        self.ready.set()

    async def _follow(self) -> None:
        feed = self.storage.changes(self.prefix, self.revision)
        async with aclosing(feed):
            async for batch in feed:
                for change in batch.changes:
                    self._apply(change)
                if batch.progress > self.revision:
                    self.revision = batch.progress
                self.last_sync = time.monotonic()

    def _unreadable(self, key: str, error: CorruptObject) -> None:
        if isinstance(error, UnreadableObject):
            # one value under a missing key must not take the whole resource down: flag it, reads of it fail
            log.error("watch cache %s: %s: %s", self.prefix, error.key, error)
            self.unreadable[key] = error
        else:
            log.error("watch cache %s: %s", self.prefix, error)

    def _namespace_of(self, key: str) -> str:
        rest = key[len(self.prefix):]
        return rest.split("/", 1)[0] if "/" in rest else ""

    def _apply(self, change: Change) -> None:
        key = change.key
        ns = self._namespace_of(key)
        bucket = self.state.setdefault(ns, {})
        prev = bucket.get(key)
        self.unreadable.pop(key, None)
        if change.object is None:
            bucket.pop(key, None)
        else:
            bucket[key] = change.object
        if change.error is not None:
            # watchers hear nothing of a value the cache cannot read
            self._unreadable(key, change.error)
            event = None
        else:
            # judged by this cache's state: a key whose previous value it could not read is new to its watchers
            event = event_of(change, prev, prev is None)
        if event is None:
            self.revision = change.revision
            return
        self._append(event)
        self.revision = change.revision
        self._dispatch(event, ns)

    def _append(self, event: KeyEvent) -> None:
        if len(self.events) >= self.capacity:
            self.oldest_revision = self.events.popleft().revision
        self.events.append(event)

    def _dispatch(self, event: KeyEvent, ns: str) -> None:
        for prefix in (self.prefix, f"{self.prefix}{ns}/", event.key):
            for watcher in list(self.watchers.get(prefix, ())):
                watcher.offer(event)

    # --- serving -------------------------------------------------------------------------------------

    def register(self, prefix: str, revision: int, predicate: Predicate) -> CacheWatcher:
        """A watcher that sees every event after `revision`; the caller checked that the buffer holds them."""
        watcher = CacheWatcher(self, prefix, revision, predicate)
        for event in self.events:
            if event.revision > revision and event.key.startswith(prefix):
                watcher.offer(event)
        self.watchers.setdefault(prefix, set()).add(watcher)
        return watcher

    def unregister(self, watcher: CacheWatcher) -> None:
        group = self.watchers.get(watcher.prefix)
        if group:
            group.discard(watcher)
            if not group:
                del self.watchers[watcher.prefix]

    def _terminate_watchers(self) -> None:
        for group in list(self.watchers.values()):
            for watcher in list(group):
                watcher.close()

    def snapshot(self, prefix: str, predicate: Predicate) -> list[Obj]:
        flagged = [key for key in self.unreadable if key.startswith(prefix)]
        if flagged:
            # etcd's list stops at the first unreadable key in key order; so does this one
            raise replace(self.unreadable[min(flagged)], in_list=True)
        if prefix == self.prefix:
            buckets = [self.state[ns] for ns in sorted(self.state)]
        else:
            buckets = [self.state.get(self._namespace_of(prefix), {})]
        items = []
        for bucket in buckets:
            for key in sorted(bucket):
                if key.startswith(prefix) and predicate.matches(bucket[key]):
                    items.append(bucket[key])
        return items

    def lookup(self, key: str) -> Obj | None:
        if key in self.unreadable:
            raise self.unreadable[key]
        return self.state.get(self._namespace_of(key), {}).get(key)


class Cacher:
    """A storage with a watch cache in front: a `Storage` over any `WatchableStorage` (the one the cache follows)."""

    def __init__(self, storage: WatchableStorage, cache: WatchCache, ready_timeout: float = 10.0) -> None:
        self.storage = storage
        self.cache = cache
        self.ready_timeout = ready_timeout

    def holds_own_writes(self) -> bool:
        """Whether the cache has caught up with every write this replica made to the resource."""
        return self.cache.revision >= self.storage.written

    async def _ready(self) -> None:
        try:
            async with asyncio.timeout(self.ready_timeout):
                await self.cache.ready.wait()
        except TimeoutError:
            raise CacheNotReady(self.cache.prefix) from None

    async def create(self, key: str, obj: Obj) -> Obj:
        return await self.storage.create(key, obj)

    def normalize(self, obj: Obj) -> Obj:
        return self.storage.normalize(obj)

    async def guaranteed_update(self, key: str, update: UpdateFunc, preconditions: Preconditions | None = None,
                                allow_create: bool = False) -> tuple[Obj, bool]:
        return await self.storage.guaranteed_update(key, update, preconditions, allow_create)

    async def delete(self, key: str, preconditions: Preconditions | None = None,
                     validate: DeleteValidator | None = None) -> Obj:
        return await self.storage.delete(key, preconditions, validate)

    async def get(self, key: str, resource_version: str = "") -> Obj:
        if resource_version != "0":
            return await self.storage.get(key, resource_version)
        await self._ready()
        obj = self.cache.lookup(key)
        if obj is None:
            raise KeyNotFound(key)
        return obj

    async def get_list(self, prefix: str, options: ListOptions) -> ListResult:
        rv = options.resource_version
        if not self._from_cache(options):
            return await self.storage.get_list(prefix, options)
        await self._ready()
        if rv not in ("", "0") and parse_resource_version(rv) > self.cache.revision:
            # the cache has not seen that revision yet: the storage has, and is never older
            return await self.storage.get_list(prefix, options)
        return ListResult(self.cache.snapshot(prefix, options.predicate), self.cache.revision)

    @staticmethod
    def _from_cache(options: ListOptions) -> bool:
        rv = options.resource_version
        if options.continue_token or not rv or options.resource_version_match == "Exact":
            return False
        if rv != "0" and options.limit:
            return False
        return True

    async def watch(self, prefix: str, resource_version: int, predicate: Predicate) -> Watch:
        await self._ready()
        if resource_version < self.cache.oldest_revision:
            # older than the ring buffer: the storage may still have the history (it answers 410 once compacted)
            return await self.storage.watch(prefix, resource_version, predicate)
        return self.cache.register(prefix, resource_version, predicate)

    async def current_revision(self) -> int:
        return await self.storage.current_revision()


class CacheNotReady(Exception):
    def __init__(self, prefix: str) -> None:
        super().__init__(f"the watch cache of {prefix} is not ready yet")


__all__ = ["Cacher", "WatchCache", "CacheNotReady"]
