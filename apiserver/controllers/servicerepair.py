"""The leader's repair of Service allocations, like kube's cluster-IP and node-port repair controllers.

A replica can die between taking an IP or node port and writing the Service (a leak), or between deleting a
Service and freeing what it held; an allocation key can be lost to a restore. Each pass compares the Services
with the allocation keys, both read at one etcd revision:
- an item a Service holds without a key is marked again, in a transaction that also requires the Service to be
  unchanged since the read (so a concurrent update or delete wins);
- a key no Service holds is freed once it has been seen so, unchanged, on LEAK_PASSES passes in a row: a write
  in flight has taken its items but not yet stored its Service, and must not lose them.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from apiserver.api.meta.errors import StatusError
from apiserver.api.meta.types import Obj
from apiserver.registry.allocator import RangeAllocator, owner_of
from apiserver.registry.servicealloc import holdings, owner
from apiserver.registry.serviceranges import ServiceAllocators
from apiserver.registry.store import RegistryStore
from apiserver.storage.etcd_client import EtcdError
from apiserver.storage.interface import ListOptions

log = logging.getLogger(__name__)

# kube's numRepairsBeforeLeakCleanup
LEAK_PASSES = 3


@dataclass
class RepairPass:
    """What one pass did, for logs and tests."""
    marked: list[str] = field(default_factory=list)
    freed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


class ServiceAllocationRepair:
    def __init__(self, services: RegistryStore, allocators: ServiceAllocators, interval: float) -> None:
        self.services = services
        self.allocators = allocators
        self.interval = interval
        # allocation key → (mod revision, passes in a row it was seen unowned at that revision)
        self.suspects: dict[bytes, tuple[int, int]] = {}

    async def run(self) -> None:
        while True:
            try:
                done = await self.repair()
                if done.marked or done.freed:
                    log.info("service allocation repair: marked %s, freed %s", done.marked, done.freed)
            except (EtcdError, StatusError) as exc:
                log.warning("service allocation repair: %s", exc)
            await asyncio.sleep(self.interval)

    async def repair(self) -> RepairPass:
        listed = await self.services.list("", ListOptions())
        revision = int(listed["metadata"]["resourceVersion"])
        held: dict[bytes, tuple[RangeAllocator, int, Obj]] = {}
        for svc in listed["items"]:
            for allocator, item in holdings(self.allocators, svc):
                held[allocator.key(item)] = (allocator, item, svc)
        done = RepairPass()
        present = set()
        suspects: dict[bytes, tuple[int, int]] = {}
        for allocator in (*self.allocators.ips.values(), self.allocators.ports):
            for item, kv in (await allocator.allocated(revision=revision)).items():
                present.add(kv.key)
                if kv.key not in held:
                    await self._suspect(allocator, item, kv.mod_revision, suspects, done)
        self.suspects = suspects
        for key, (allocator, item, svc) in held.items():
            if key not in present:
                await self._mark(allocator, item, svc, done)
        return done

    async def _suspect(self, allocator: RangeAllocator, item: int, mod_revision: int,
                       suspects: dict[bytes, tuple[int, int]], done: RepairPass) -> None:
        key = allocator.key(item)
        seen_at, passes = self.suspects.get(key, (mod_revision, 0))
        passes = passes + 1 if seen_at == mod_revision else 1
        if passes < LEAK_PASSES:
            suspects[key] = (mod_revision, passes)
        elif await allocator.release(item, mod_revision):
            done.freed.append(key.decode())

    async def _mark(self, allocator: RangeAllocator, item: int, svc: Obj, done: RepairPass) -> None:
        meta = svc["metadata"]
        name = f"{meta.get('namespace', '')}/{meta.get('name', '')}"
        rendered = allocator.items.render(item)
        if item not in allocator.items:
            done.conflicts.append(rendered)
            log.warning("%s of Service %s is not within the configured range %s; please recreate the Service",
                        rendered, name, allocator.items.description)
            return
        guard = self.services.key(meta.get("namespace", ""), meta["name"]).encode()
        if await allocator.mark(item, owner(svc), guard, int(meta["resourceVersion"])):
            done.marked.append(allocator.key(item).decode())
            return
        kv, _ = await allocator.client.get(allocator.key(item))
        if kv is not None and owner_of(kv).get("uid") != meta.get("uid"):
            done.conflicts.append(rendered)
            log.warning("%s of Service %s is allocated to %s too; please recreate one of them", rendered, name,
                        owner_of(kv))
