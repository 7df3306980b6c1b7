"""A de-duplicating work queue, like client-go's: a key waiting in the queue is queued once however often it is
added, and failed keys come back after a delay."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
log = logging.getLogger(__name__)


class WorkQueue(Generic[K]):
    def __init__(self) -> None:
        self._queue: asyncio.Queue[K] = asyncio.Queue()
        self._waiting: set[K] = set()

    def add(self, key: K) -> None:
        if key not in self._waiting:
            self._waiting.add(key)
            self._queue.put_nowait(key)

    def add_after(self, key: K, delay: float) -> None:
        asyncio.get_running_loop().call_later(delay, self.add, key)

    async def get(self) -> K:
        key = await self._queue.get()
        self._waiting.discard(key)
        return key

    def __len__(self) -> int:
        return len(self._waiting)


async def drain(queue: WorkQueue[K], process: Callable[[K], Awaitable[bool | None]], retry_seconds: float,
                what: str) -> None:
    """Processes the queue's keys for ever; a key whose processing fails, or answers False (not done yet), comes
    back after `retry_seconds`."""
    while True:
        key = await queue.get()
        try:
            done = await process(key)
        except Exception as exc:
            log.warning("%s: %s: %s", what, key, exc)
            done = False
        if done is False:
            queue.add_after(key, retry_seconds)
