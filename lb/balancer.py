"""The pool of backends: which one a new connection goes to, health transitions, drain, and reloads."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence

from lb.backend import Backend, Connection
from lb.config import Address

log = logging.getLogger("lb")


def pick(candidates: Sequence[Backend], balance: str, turn: int) -> Backend:
    """The choice among eligible backends; `turn` is a counter that advances once per choice.

    leastconn takes the fewest open connections and breaks ties in turn, so that idle backends share the
    load instead of the first of them taking every short connection.
    """
    if balance == "leastconn":
        fewest = min(b.active for b in candidates)
        candidates = [b for b in candidates if b.active == fewest]
    return candidates[turn % len(candidates)]


class Pool:
    def __init__(self, addresses: Iterable[Address], balance: str, rise: int, fall: int,
                 drain_timeout: float) -> None:
        self.balance = balance
        self.rise, self.fall = rise, fall
        self.drain_timeout = drain_timeout
        # every backend ever configured keeps its counters, so that metrics stay monotonic across reloads
        self.known: dict[Address, Backend] = {}
        self.backends: list[Backend] = [self._backend(a) for a in addresses]
        self._turn = 0

    def _backend(self, address: Address) -> Backend:
        return self.known.setdefault(address, Backend(address))

    def choose(self, exclude: set[Backend]) -> Backend | None:
        candidates = [b for b in self.backends if b.eligible and b not in exclude]
        if not candidates:
            return None
        self._turn += 1
        return pick(candidates, self.balance, self._turn)

    def record_check(self, backend: Backend, ok: bool) -> None:
        if backend.record_check(ok, self.rise, self.fall):
            self._transition(backend, "health check")

    def connect_failed(self, backend: Backend, why: str) -> None:
        """A passive check: a backend that refuses a connection is out at once; active checks bring it back."""
        backend.connect_failures += 1
        if backend.healthy:
            backend.set_healthy(False)
            self._transition(backend, f"connect failed: {why}")

    def _transition(self, backend: Backend, why: str) -> None:
        log.info("backend %s is %s (%s)", backend.address, "up" if backend.healthy else "down", why)
        if backend.eligible:
            self._stop_drain(backend)
        else:
            self._start_drain(backend)

    def attach(self, backend: Backend, connection: Connection) -> None:
        backend.connections.add(connection)
        backend.total += 1
        # a connect that began while the backend was still up can finish after it went down: it drains too
        if not backend.eligible:
            self._start_drain(backend)

    def detach(self, backend: Backend, connection: Connection) -> None:
        backend.connections.discard(connection)
        if not backend.connections and not backend.listed and backend in self.backends:
            self._retire(backend)

    def _retire(self, backend: Backend) -> None:
        """A dropped backend with nothing left to drain leaves the pool; its health history ends with it, so
        that a later reload that lists it again starts it afresh (down until its first good check)."""
        self._stop_drain(backend)
        self.backends.remove(backend)
        backend.healthy, backend.ever_up, backend.streak = False, False, 0

    def _start_drain(self, backend: Backend) -> None:
        """No new connections go to the backend; the open ones are closed after the drain timeout."""
        if backend.connections and backend.drain_timer is None:
            backend.drain_timer = asyncio.get_running_loop().call_later(self.drain_timeout, self._drained,
                                                                        backend)

    def _stop_drain(self, backend: Backend) -> None:
        if backend.drain_timer is not None:
            backend.drain_timer.cancel()
            backend.drain_timer = None

    def _drained(self, backend: Backend) -> None:
        backend.drain_timer = None
        if backend.connections:
            log.info("closing %d connections to %s: drain timeout", len(backend.connections), backend.address)
        for connection in list(backend.connections):
            connection.abort()

    def replace(self, addresses: Sequence[Address], balance: str) -> tuple[list[Backend], list[Backend]]:
        """A reload: listed backends keep their state, new ones start down, dropped ones drain.

        Returns (added, removed).
        """
        wanted = [self._backend(a) for a in dict.fromkeys(addresses)]
        added = [b for b in wanted if not b.listed or b not in self.backends]
        removed = [b for b in self.backends if b.listed and b not in wanted]
        for backend in added:
            # one still draining from an earlier removal comes back with its live health state
            backend.listed = True
            if backend.eligible:
                self._stop_drain(backend)
        for backend in removed:
            backend.listed = False
        self.backends = wanted + [b for b in self.backends if not b.listed]
        for backend in removed:
            if backend.connections:
                self._start_drain(backend)
            else:
                self._retire(backend)
        self.balance = balance
        return added, removed
