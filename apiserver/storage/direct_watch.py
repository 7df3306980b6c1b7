"""A watch served straight from a storage's change feed, for revisions a watch cache no longer holds.

A pump task reads the feed into a queue so that waiting for the next event with a timeout never cancels
the feed itself.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import aclosing

from apiserver.storage.event_filter import event_of, filter_event
from apiserver.storage.interface import Changes, Predicate, WatchClosed, WatchEvent

WATCH_QUEUE = 1024


class DirectWatch:
    """Reads a feed opened with `with_prev`: the states before the writes decide each event and its selection."""

    def __init__(self, feed: AsyncGenerator[Changes, None], resource_version: int, predicate: Predicate,
                 name: str) -> None:
        self._feed = feed
        self._predicate = predicate
        self._progress = resource_version
        self._queue: asyncio.Queue[WatchEvent | BaseException] = asyncio.Queue(WATCH_QUEUE)
        self._task = asyncio.create_task(self._pump(), name=name)

    def progress_revision(self) -> int:
        return self._progress

    def stop(self) -> None:
        self._task.cancel()

    async def next(self, timeout: float) -> WatchEvent | None:
        try:
            async with asyncio.timeout(timeout):
                item = await self._queue.get()
        except TimeoutError:
            return None
        if isinstance(item, BaseException):
            self._queue.put_nowait(item)
            raise item
        if item.type != "BOOKMARK":
            return item
        self._progress = max(self._progress, item.resource_version)
        return None

    async def _pump(self) -> None:
        try:
            async with aclosing(self._feed) as feed:
                async for batch in feed:
                    for change in batch.changes:
                        if change.error is not None:
                            raise change.error
                        event = event_of(change, change.prev, change.created)
                        out = None if event is None else filter_event(event.type, event.object, event.prev,
                                                                      event.revision, self._predicate)
                        if out is not None:
                            await self._queue.put(out)
                        # progress travels through the queue so it is never ahead of the events before it
                        await self._queue.put(WatchEvent("BOOKMARK", {}, change.revision))
                    if batch.progress:
                        await self._queue.put(WatchEvent("BOOKMARK", {}, batch.progress))
            await self._queue.put(WatchClosed())
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self._queue.put(exc)
