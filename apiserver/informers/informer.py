"""Follows one resource through the replica's own watch cache, the way client-go's informers follow the API: the
current state first, then every change. When the watch ends (the cache relisted, etcd compacted), it starts
again from the cache's state and reports what vanished meanwhile as deletions, so a handler never misses one.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from apiserver.api.meta.types import Obj
from apiserver.registry.store import RegistryStore
from apiserver.storage.interface import Expired, Predicate, WatchClosed

log = logging.getLogger(__name__)

# (event type, object): ADDED, MODIFIED or DELETED
Handler = Callable[[str, Obj], None]


class Informer:
    def __init__(self, store: RegistryStore, handler: Handler) -> None:
        self.store = store
        self.handler = handler
        self.synced = asyncio.Event()
        self._known: dict[str, Obj] = {}

    def _emit(self, kind: str, obj: Obj) -> None:
        uid = obj["metadata"].get("uid", "")
        if kind == "DELETED":
            self._known.pop(uid, None)
        else:
            self._known[uid] = obj
        self.handler(kind, obj)

    async def run(self) -> None:
        while True:
            try:
                await self._follow()
            except (WatchClosed, Expired):
                continue
            except Exception as exc:  # the cache not ready, etcd away: try again shortly, never give up
                log.warning("informer for %s: %s", self.store.info.plural, exc)
                await asyncio.sleep(1)

    async def _follow(self) -> None:
        start = await self.store.watch("", "0", Predicate(), None)
        try:
            current = {obj["metadata"].get("uid", ""): obj for obj in start.initial}
            for uid, obj in list(self._known.items()):
                if uid not in current:
                    self._emit("DELETED", obj)
            for obj in current.values():
                self._emit("MODIFIED" if obj["metadata"].get("uid") in self._known else "ADDED", obj)
            self.synced.set()
            while True:
                event = await start.watch.next(30.0)
                if event is None or event.type == "BOOKMARK":
                    continue
                if event.type == "ERROR":
                    return
                self._emit(event.type, event.object)
        finally:
            start.watch.stop()


@asynccontextmanager
async def running(*informers: Informer) -> AsyncIterator[None]:
    """The informers run while the block does, and stop with it."""
    tasks = [asyncio.create_task(i.run(), name=f"informer {i.store.info.plural}") for i in informers]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
