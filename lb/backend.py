"""One backend: its health verdict (rise/fall), its open connections and the counters the admin endpoint shows."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol

from lb.config import Address


class Connection(Protocol):
    def abort(self) -> None: ...


@dataclass(eq=False)
class Backend:
    address: Address
    healthy: bool = False
    listed: bool = True          # False once a reload dropped it: it only drains from then on
    ever_up: bool = False
    streak: int = 0              # consecutive check results that disagree with `healthy`
    checks_ok: int = 0
    checks_failed: int = 0
    total: int = 0
    connect_failures: int = 0
    bytes_in: int = 0            # client -> backend
    bytes_out: int = 0           # backend -> client
    went_up: int = 0
    went_down: int = 0
    connections: set[Connection] = field(default_factory=set)
    drain_timer: asyncio.TimerHandle | None = None

    @property
    def eligible(self) -> bool:
        """Whether new connections may go here."""
        return self.healthy and self.listed

    @property
    def active(self) -> int:
        return len(self.connections)

    @property
    def state(self) -> str:
        if self.eligible:
            return "up"
        return "draining" if self.connections else "down"

    def record_check(self, ok: bool, rise: int, fall: int) -> bool:
        """Counts one active check; True when it flips `healthy`.

        A backend starts down. Its first success ever brings it up at once, so that a balancer that has just
        started (or a backend just added by a reload) serves after one check rather than `rise`; after that,
        `rise` successes in a row bring it up and `fall` failures in a row take it down.
        """
        if ok:
            self.checks_ok += 1
        else:
            self.checks_failed += 1
        if ok == self.healthy:
            self.streak = 0
            return False
        self.streak += 1
        needed = (rise if self.ever_up else 1) if ok else fall
        if self.streak < needed:
            return False
        self.set_healthy(ok)
        return True

    def set_healthy(self, healthy: bool) -> None:
        if healthy == self.healthy:
            return
        self.healthy, self.streak = healthy, 0
        if healthy:
            self.ever_up = True
            self.went_up += 1
        else:
            self.went_down += 1

    def as_dict(self) -> dict[str, object]:
        return {"address": str(self.address), "state": self.state, "active_connections": self.active,
                "total_connections": self.total, "checks_ok": self.checks_ok, "checks_failed": self.checks_failed}
