"""A de-duplicating work queue, like client-go's: a key waiting in the queue is queued once however often it is
added, and failed keys come back after a delay."""
from __future__ import annotations

import asyncio
from typing import Generic, Hashable, TypeVar

K = TypeVar("K", bound=Hashable)


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
