"""kube-controller-manager's resourcequota controller, run on the elected leader: each quota's status.hard
follows its spec and status.used is what the objects of its namespace use (the ResourceQuota admission charges
creates as they happen; this gives back what deletions and finished pods release, and counts new quotas).

A namespace is recounted when one of its quotas needs it (new, or its hard limits changed), when an object of a
kind its quotas count is added, changed or deleted, and every RESYNC_SECONDS. A recount lists each counted kind
once in the namespace, from the watch cache, and sums it for every quota there. The write is a compare-and-swap
on the quota as this controller last saw it. A recount never lowers a usage within HOLD_SECONDS of a charge by
admission: the charged object may not be written (or cached) yet, and lowering the count under it would let more
in than the quota allows."""
from __future__ import annotations

import asyncio
import logging
import time

from apiserver.api.meta.errors import StatusError
from apiserver.api.meta.types import Obj
from apiserver.controllers.quotausage import (
    ZERO,
    ResourceList,
    add_into,
    as_json,
    evaluator_for,
    mask,
    parse_list,
    pod_counts_compute,
    quota_scopes,
    resources_named,
)
from apiserver.informers.informer import Informer
from apiserver.informers.workqueue import WorkQueue, drain
from apiserver.registry.registry import Registry
from apiserver.registry.store import RegistryStore
from apiserver.storage.interface import ListOptions

log = logging.getLogger(__name__)

MANAGER = "kube-controller-manager"
RESYNC_SECONDS = 30.0
HOLD_SECONDS = 2.0
_RETRY_SECONDS = 0.5
Kind = tuple[str, str]


def _key(obj: Obj) -> tuple[str, str]:
    meta = obj["metadata"]
    return meta.get("namespace", ""), meta["name"]


def needs_recount(quota: Obj) -> bool:
    """status.hard is not the spec's, or some hard limit has no usage yet."""
    hard = (quota.get("spec") or {}).get("hard") or {}
    status = quota.get("status") or {}
    used = status.get("used") or {}
    return parse_list(status.get("hard")) != parse_list(hard) or any(name not in used for name in hard)


def count(quota: Obj, objects: dict[Kind, list[Obj]]) -> Obj:
    """The quota's new status: hard from the spec; used summed over `objects` (by kind) for every hard name some
    counted kind is charged under, the earlier value kept for names nothing here counts."""
    hard = (quota.get("spec") or {}).get("hard") or {}
    used = mask(parse_list((quota.get("status") or {}).get("used")), hard)
    scopes = quota_scopes(quota)
    for kind, items in objects.items():
        evaluator = evaluator_for(*kind)
        tracked = evaluator.matching(hard) if evaluator else []
        if not evaluator or not tracked:
            continue
        total: ResourceList = {name: ZERO for name in tracked}
        for obj in items:
            if all(evaluator.in_scope(scope, obj) for scope in scopes):
                add_into(total, mask(evaluator.usage(obj), tracked))
        used.update(total)
    return {"hard": dict(hard), "used": as_json(used)}


class ResourceQuotaController:
    def __init__(self, registry: Registry) -> None:
        self.store = registry.store("", "v1", "resourcequotas")
        self.kinds: dict[Kind, RegistryStore] = {
            (store.info.group, store.info.plural): store for store in registry.stores.values()
            if store.info.namespaced and evaluator_for(store.info.group, store.info.plural)}
        self.queue: WorkQueue[str] = WorkQueue()
        # the quotas as last observed, by namespace and name
        self.quotas: dict[str, dict[str, Obj]] = {}
        # when admission last charged each quota (monotonic seconds), and the versions this controller wrote
        self.charged_at: dict[tuple[str, str], float] = {}
        self.written: set[str] = set()
        self.watching: dict[Kind, asyncio.Task] = {}

    # --- observation --------------------------------------------------------------------------------------

    def observe_quota(self, event: str, quota: Obj) -> None:
        namespace, name = _key(quota)
        if event == "DELETED":
            self.quotas.get(namespace, {}).pop(name, None)
            self.charged_at.pop((namespace, name), None)
            return
        before = self.quotas.setdefault(namespace, {}).get(name)
        self.quotas[namespace][name] = quota
        version = quota["metadata"].get("resourceVersion", "")
        if version in self.written:
            self.written.discard(version)
        elif before is not None and (before.get("status") or {}).get("used") != (quota.get("status") or {}).get(
                "used"):
            self.charged_at[(namespace, name)] = time.monotonic()
        for kind in resources_named((quota.get("spec") or {}).get("hard") or {}, self.kinds):
            self._watch(kind)
        if needs_recount(quota):
            self.queue.add(namespace)

    def _watch(self, kind: Kind) -> None:
        """Follows a kind once some quota counts it; it is followed until leadership ends."""
        if kind in self.watching:
            return

        def changed(event: str, obj: Obj) -> None:
            namespace = obj["metadata"].get("namespace", "")
            if not self.quotas.get(namespace):
                return
            # a pod's change matters once it stops using compute (it finished, or is being deleted)
            if kind == ("", "pods") and event == "MODIFIED" and pod_counts_compute(obj) and not obj["metadata"].get(
                    "deletionTimestamp"):
                return
            self.queue.add(namespace)

        informer = Informer(self.kinds[kind], changed)
        self.watching[kind] = asyncio.create_task(informer.run(), name=f"resourcequota informer {kind[1]}")

    # --- the loop -----------------------------------------------------------------------------------------

    async def run(self) -> None:
        quotas = Informer(self.store, self.observe_quota)
        tasks = [asyncio.create_task(quotas.run(), name="resourcequota informer"),
                 asyncio.create_task(self._resync(), name="resourcequota resync")]
        try:
            await drain(self.queue, self.sync, _RETRY_SECONDS, "resourcequota controller")
        finally:
            tasks += self.watching.values()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _resync(self) -> None:
        """Recounts every namespace with quotas now and then: repairs charges whose object was never written."""
        while True:
            await asyncio.sleep(RESYNC_SECONDS)
            for namespace, quotas in list(self.quotas.items()):
                if quotas:
                    self.queue.add(namespace)

    async def sync(self, namespace: str) -> bool:
        quotas = list(self.quotas.get(namespace, {}).values())
        if not quotas:
            return True
        kinds = {kind for quota in quotas
                 for kind in resources_named((quota.get("spec") or {}).get("hard") or {}, self.kinds)}
        objects: dict[Kind, list[Obj]] = {}
        for kind in sorted(kinds):
            listed = await self.kinds[kind].list(namespace, ListOptions(resource_version="0"))
            objects[kind] = listed["items"]
        done = True
        for quota in quotas:
            done = await self._update(quota, count(quota, objects)) and done
        return done

    async def _update(self, quota: Obj, status: Obj) -> bool:
        """Writes the new status unless it is the current one; False to come back later (a recent charge holds
        a lower count back, or the quota changed meanwhile)."""
        current = quota.get("status") or {}
        if status == {"hard": current.get("hard") or {}, "used": current.get("used") or {}}:
            return True
        namespace, name = _key(quota)
        before, after = parse_list(current.get("used")), parse_list(status["used"])
        lowers = any(after[n].value < value.value for n, value in before.items() if n in after)
        if lowers and time.monotonic() - self.charged_at.get((namespace, name), float("-inf")) < HOLD_SECONDS:
            return False
        try:
            written = await self.store.update_subresource(namespace, name, "status", {**quota, "status": status},
                                                          manager=MANAGER)
        except StatusError as exc:
            if exc.code in (404, 409):
                return exc.code == 404
            raise
        self.written.add(written["metadata"].get("resourceVersion", ""))
        return True
