"""The garbage collector: follows ownerReferences between objects of every resource, as kube-controller-manager's
does, and runs on the elected leader only.

- an object whose owners are all gone is deleted (background propagation: the owner went first);
- an owner deleted with `Foreground` keeps its `foregroundDeletion` finalizer until every dependent that blocks
  it (`blockOwnerDeletion: true`) is gone; its dependents are deleted meanwhile;
- an owner deleted with `Orphan` keeps its `orphan` finalizer until its dependents no longer point at it.

The graph of owners and dependents is built from informers over the replica's own watch caches; whether an
owner is really gone is always confirmed with a consistent read from etcd before anything is deleted.
"""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from typing import Any

from apiserver.api.meta.errors import StatusError
from apiserver.api.meta.types import Obj
from apiserver.informers.informer import Informer, running
from apiserver.informers.workqueue import WorkQueue, drain
from apiserver.registry.deletion import (
    FOREGROUND_FINALIZER,
    ORPHAN_FINALIZER,
    DeleteOptions,
)
from apiserver.registry.registry import Registry
from apiserver.registry.store import RegistryStore
from apiserver.storage.interface import Preconditions

log = logging.getLogger(__name__)

MANAGER = "generic-garbage-collector"
_RETRY_SECONDS = 1.0
_SYNC_TIMEOUT = 30.0


@dataclass(frozen=True)
class Node:
    uid: str
    store: RegistryStore
    namespace: str
    name: str
    owners: tuple[dict[str, Any], ...]
    deleting: bool
    finalizers: tuple[str, ...]

    @property
    def waits_for_dependents(self) -> bool:
        return self.deleting and FOREGROUND_FINALIZER in self.finalizers


def _node(store: RegistryStore, obj: Obj) -> Node:
    meta = obj["metadata"]
    owners = tuple(ref for ref in meta.get("ownerReferences") or [] if isinstance(ref, dict) and ref.get("uid"))
    return Node(meta.get("uid", ""), store, meta.get("namespace", ""), meta.get("name", ""), owners,
                bool(meta.get("deletionTimestamp")), tuple(meta.get("finalizers") or ()))


def _group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0]


class GarbageCollector:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.nodes: dict[str, Node] = {}
        self.dependents: defaultdict[str, set[str]] = defaultdict(set)
        self.queue: WorkQueue[str] = WorkQueue()
        # owners are found by the group and kind their references name: a kind served in another group's
        # storage (events.k8s.io Events in core's) is found in the store that holds it
        self._by_kind = {(s.info.group, s.info.kind): s for s in registry.stores.values()}
        for view in registry.versions.values():
            self._by_kind.setdefault((view.info.group, view.info.kind), view.store)

    # --- the graph ----------------------------------------------------------------------------------------

    def observe(self, store: RegistryStore, event: str, obj: Obj) -> None:
        uid = obj["metadata"].get("uid", "")
        old = self.nodes.pop(uid, None)
        for ref in old.owners if old else ():
            self.dependents[ref["uid"]].discard(uid)
        if event == "DELETED":
            # owners waiting for this dependent, and dependents that may have lost their last owner
            for ref in old.owners if old else ():
                self.queue.add(ref["uid"])
            for dependent in self.dependents.pop(uid, set()):
                self.queue.add(dependent)
            return
        node = _node(store, obj)
        self.nodes[uid] = node
        for ref in node.owners:
            self.dependents[ref["uid"]].add(uid)
        if node.owners:
            self.queue.add(uid)
        if node.deleting and (ORPHAN_FINALIZER in node.finalizers or FOREGROUND_FINALIZER in node.finalizers):
            self.queue.add(uid)
            for dependent in self.dependents.get(uid, ()):
                self.queue.add(dependent)

    # --- the work -----------------------------------------------------------------------------------------

    async def run(self) -> None:
        informers = [Informer(store, partial(self.observe, store)) for store in self.registry.stores.values()]
        async with running(*informers):
            try:
                # acting on a half-built graph would only cost extra etcd reads, but waiting keeps start-up quiet
                async with asyncio.timeout(_SYNC_TIMEOUT):
                    await asyncio.gather(*(i.synced.wait() for i in informers))
            except TimeoutError:
                log.warning("garbage collector starting before every informer synced")
            await drain(self.queue, self.process, _RETRY_SECONDS, "garbage collector")

    async def process(self, uid: str) -> None:
        node = self.nodes.get(uid)
        if node is None:
            return
        if node.deleting and ORPHAN_FINALIZER in node.finalizers:
            await self._orphan_dependents(node)
        elif node.waits_for_dependents:
            await self._release_when_dependents_gone(node)
        elif not node.deleting and node.owners:
            await self._collect_if_owners_gone(node)

    async def _orphan_dependents(self, owner: Node) -> None:
        for uid in list(self.dependents.get(owner.uid, ())):
            dependent = self.nodes.get(uid)
            if dependent:
                await self._patch(dependent, lambda obj: _drop_owner_refs(obj, {owner.uid}))
        await self._patch(owner, lambda obj: _drop_finalizer(obj, ORPHAN_FINALIZER))

    async def _release_when_dependents_gone(self, owner: Node) -> None:
        blocking = []
        for uid in self.dependents.get(owner.uid, ()):
            dependent = self.nodes.get(uid)
            if dependent and any(ref["uid"] == owner.uid and ref.get("blockOwnerDeletion")
                                 for ref in dependent.owners):
                blocking.append(dependent)
        if not blocking:
            await self._patch(owner, lambda obj: _drop_finalizer(obj, FOREGROUND_FINALIZER))

    async def _collect_if_owners_gone(self, node: Node) -> None:
        solid: list[str] = []
        dangling: list[str] = []
        waiting: list[str] = []
        for ref in node.owners:
            state = await self._owner_state(node, ref)
            {"solid": solid, "absent": dangling, "waiting": waiting}[state].append(ref["uid"])
        if solid:
            if dangling or waiting:
                # the object stays for its live owners; it just stops naming the others as blocking or present
                await self._patch(node, lambda obj: _unblock(_drop_owner_refs(obj, set(dangling)), set(waiting)))
            return
        if waiting and self.dependents.get(node.uid):
            policy = "Foreground"
        elif ORPHAN_FINALIZER in node.finalizers:
            policy = "Orphan"
        elif FOREGROUND_FINALIZER in node.finalizers:
            policy = "Foreground"
        else:
            policy = "Background"
        log.info("garbage collector: deleting %s %s/%s (%s)", node.store.info.kind, node.namespace, node.name, policy)
        await self._ignore_missing(node.store.delete(node.namespace, node.name, DeleteOptions(
            Preconditions(uid=node.uid), propagation_policy=policy)))

    async def _owner_state(self, node: Node, ref: dict[str, Any]) -> str:
        """"solid" (present), "waiting" (present, deleting its dependents in the foreground) or "absent"."""
        store = self._by_kind.get((_group_of(str(ref.get("apiVersion", ""))), ref.get("kind", "")))
        if store is None or (store.info.namespaced and not node.store.info.namespaced):
            # an owner we cannot resolve is never taken for absent: deleting on a guess could lose data
            return "solid"
        known = self.nodes.get(ref["uid"])
        if known is not None and known.store is store:
            # the graph has seen it and not seen it go; a deletion would come as an event and queue us again
            return "waiting" if known.waits_for_dependents else "solid"
        namespace = node.namespace if store.info.namespaced else ""
        try:
            owner = await store.get(namespace, str(ref.get("name", "")))
        except StatusError as exc:
            if exc.code == 404:
                return "absent"
            raise
        if owner["metadata"].get("uid") != ref["uid"]:
            return "absent"
        return "waiting" if _node(store, owner).waits_for_dependents else "solid"

    async def _patch(self, node: Node, change: Any) -> None:
        await self._ignore_missing(node.store.patch(node.namespace, node.name, "", change, manager=MANAGER))

    @staticmethod
    async def _ignore_missing(call: Any) -> None:
        try:
            await call
        except StatusError as exc:
            if exc.code != 404:
                raise


def _drop_owner_refs(obj: Obj, uids: set[str]) -> Obj:
    meta = obj["metadata"]
    kept = [ref for ref in meta.get("ownerReferences") or [] if ref.get("uid") not in uids]
    if kept:
        meta["ownerReferences"] = kept
    else:
        meta.pop("ownerReferences", None)
    return obj


def _unblock(obj: Obj, uids: set[str]) -> Obj:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("uid") in uids and ref.get("blockOwnerDeletion"):
            ref["blockOwnerDeletion"] = False
    return obj


def _drop_finalizer(obj: Obj, finalizer: str) -> Obj:
    meta = obj["metadata"]
    kept = [f for f in meta.get("finalizers") or [] if f != finalizer]
    if kept:
        meta["finalizers"] = kept
    else:
        meta.pop("finalizers", None)
    return obj
