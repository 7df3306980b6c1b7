"""Leader election on a coordination.k8s.io Lease, the way client-go does it, for work only one replica may do.

The lease is taken and renewed by compare-and-swap on its resourceVersion. Expiry is judged by how long the
record has gone unchanged as this replica observed it, not by the renewTime written by another replica, so
clock differences between hosts do not matter.
"""
from __future__ import annotations

import asyncio
import datetime
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from apiserver.api.meta.errors import StatusError
from apiserver.registry.store import RegistryStore
from apiserver.storage.etcd_client import EtcdError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeaderElectionConfig:
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0


def micro_time() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LeaderElector:
    """Runs `lead()` while this replica holds the lease `namespace/name`; cancels it when leadership is lost."""

    def __init__(self, leases: RegistryStore, namespace: str, name: str, identity: str,
                 config: LeaderElectionConfig, lead: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self.leases = leases
        self.namespace = namespace
        self.name = name
        self.identity = identity
        self.config = config
        self.lead = lead
        self.leading = False
        self._observed: tuple[str, str] | None = None   # (holder, renewTime) as last seen
        self._observed_at = 0.0

    async def run(self) -> None:
        while True:
            await self._acquire()
            task = asyncio.create_task(self.lead(), name=f"leader work {self.name}")
            try:
                await self._renew_until_lost(task)
            finally:
                self.leading = False
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    async def _acquire(self) -> None:
        while not await self._try_acquire_or_renew():
            await asyncio.sleep(self.config.retry_period)
        self.leading = True
        log.info("%s became leader of %s/%s", self.identity, self.namespace, self.name)

    async def _renew_until_lost(self, work: asyncio.Task) -> None:
        last_renew = time.monotonic()
        while True:
            await asyncio.sleep(self.config.retry_period)
            if work.done() and not work.cancelled() and work.exception():
                log.error("leader work %s failed: %s", self.name, work.exception())
            if await self._try_acquire_or_renew():
                last_renew = time.monotonic()
            elif time.monotonic() - last_renew > self.config.renew_deadline:
                log.warning("%s lost leadership of %s/%s", self.identity, self.namespace, self.name)
                return

    async def _try_acquire_or_renew(self) -> bool:
        now = micro_time()
        try:
            current = await self.leases.get(self.namespace, self.name)
        except StatusError as exc:
            if exc.code != 404:
                return False
            return await self._write(None, self._spec(now, now, 0))
        except EtcdError:
            return False
        spec = current.get("spec") or {}
        holder = spec.get("holderIdentity") or ""
        record = (holder, spec.get("renewTime") or "")
        if record != self._observed:
            self._observed, self._observed_at = record, time.monotonic()
        if holder and holder != self.identity:
            duration = float(spec.get("leaseDurationSeconds") or self.config.lease_duration)
            if time.monotonic() - self._observed_at < duration:
                return False
        transitions = int(spec.get("leaseTransitions") or 0)
        if holder == self.identity:
            new = self._spec(spec.get("acquireTime") or now, now, transitions)
        else:
            new = self._spec(now, now, transitions + 1)
        return await self._write(current, new)

    def _spec(self, acquired: str, renewed: str, transitions: int) -> dict[str, Any]:
        return {"holderIdentity": self.identity, "leaseDurationSeconds": int(self.config.lease_duration),
                "acquireTime": acquired, "renewTime": renewed, "leaseTransitions": transitions}

    async def _write(self, current: dict | None, spec: dict[str, Any]) -> bool:
        try:
            if current is None:
                await self.leases.create(self.namespace, {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                                                          "metadata": {"name": self.name}, "spec": spec})
            else:
                meta = {**current["metadata"]}
                await self.leases.update(self.namespace, self.name, {**current, "metadata": meta, "spec": spec})
        except (StatusError, EtcdError):
            # someone else won the race (409) or etcd is away: not leader this round
            return False
        self._observed, self._observed_at = (spec["holderIdentity"], spec["renewTime"]), time.monotonic()
        return True

    async def release(self) -> None:
        """Hands the lease back at shutdown so another replica takes over at once instead of after expiry."""
        if not self.leading:
            return
        self.leading = False
        try:
            current = await self.leases.get(self.namespace, self.name)
            spec = current.get("spec") or {}
            if spec.get("holderIdentity") != self.identity:
                return
            released = {**spec, "holderIdentity": "", "leaseDurationSeconds": 1, "renewTime": micro_time()}
            await self.leases.update(self.namespace, self.name, {**current, "spec": released})
        except (StatusError, EtcdError) as exc:
            log.warning("releasing %s/%s: %s", self.namespace, self.name, exc)
