"""The backend pool: health state, connection counts, and the choice of a backend for a new connection."""
from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Iterable

from lb.config import Address
from lb.metrics import LbMetrics


@dataclass(eq=False)
class Backend:
    address: Address
    up: bool = False
    removed: bool = False
    active: int = 0
    total: int = 0
    checks_ok: int = 0
    checks_failed: int = 0
    streak: int = 0          # consecutive results opposite to the current state
    ever_up: bool = False
    connections: set = field(default_factory=set)
    drain_task: asyncio.Task | None = None

    @property
    def state(self) -> str:
        if self.up and not self.removed:
            return "up"
        return "draining" if self.active else "down"

    def as_dict(self) -> dict:
        return {"address": str(self.address), "state": self.state, "active_connections": self.active,
                "total_connections": self.total, "checks_ok": self.checks_ok, "checks_failed": self.checks_failed}


class Pool:
    def __init__(self, addresses: Iterable[Address], balance: str, rise: int, fall: int, drain_timeout: float,
                 metrics: LbMetrics) -> None:
        self.backends: list[Backend] = [Backend(a) for a in addresses]
        self.balance = balance
        self.rise, self.fall = rise, fall
        self.drain_timeout = drain_timeout
        self.metrics = metrics
        self._rr = itertools.count()

    def healthy(self) -> list[Backend]:
        return [b for b in self.backends if b.up and not b.removed]

    def choose(self, exclude: set[Backend]) -> Backend | None:
        candidates = [b for b in self.healthy() if b not in exclude]
        if not candidates:
            return None
        if self.balance == "leastconn":
            return min(candidates, key=lambda b: (b.active, b.total))
        return candidates[next(self._rr) % len(candidates)]

    def record_check(self, backend: Backend, ok: bool) -> None:
        """Active check result: `rise` successes in a row bring a backend up, `fall` failures take it down.
        The very first success brings a new backend up at once, so a fresh balancer serves without waiting."""
        if ok:
            backend.checks_ok += 1
        else:
            backend.checks_failed += 1
        if ok == backend.up:
            backend.streak = 0
            return
        backend.streak += 1
        needed = self.rise if ok else self.fall
        if ok and not backend.ever_up:
            needed = 1
        if backend.streak >= needed:
            self.set_up(backend, ok)

    def set_up(self, backend: Backend, up: bool) -> None:
        if backend.up == up:
            return
        backend.up, backend.streak = up, 0
        self.metrics.transition(str(backend.address), up)
        if up:
            backend.ever_up = True
            if backend.drain_task:
                backend.drain_task.cancel()
                backend.drain_task = None
        else:
            self._drain(backend)

    def _drain(self, backend: Backend) -> None:
        """No new connections go to a backend that is down; open ones get `drain_timeout` to finish."""
        if backend.connections and backend.drain_task is None:
            backend.drain_task = asyncio.get_running_loop().create_task(self._close_after(backend))

    async def _close_after(self, backend: Backend) -> None:
        await asyncio.sleep(self.drain_timeout)
        for connection in list(backend.connections):
            connection.close()
        backend.drain_task = None

    def replace(self, addresses: Iterable[Address], balance: str) -> None:
        """A reload: keep known backends with their state, add new ones, drain the ones no longer listed."""
        wanted = list(dict.fromkeys(addresses))
        by_address = {b.address: b for b in self.backends}
        kept = []
        for address in wanted:
            backend = by_address.pop(address, None) or Backend(address)
            backend.removed = False
            kept.append(backend)
        for gone in by_address.values():
            gone.removed = True
            self._drain(gone)
            if gone.connections:
                kept.append(gone)
        self.backends = kept
        self.balance = balance
