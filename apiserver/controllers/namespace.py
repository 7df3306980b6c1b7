"""The namespace controller (kube-controller-manager's, run here on the elected leader): a deleted namespace is
Terminating until everything in it is gone; then its "kubernetes" finalizer is released through the finalize
subresource and the store removes the namespace.

While content remains, the namespace's status says what is left, with kube's condition types, so that
`kubectl describe namespace` explains a namespace stuck in Terminating.
"""
from __future__ import annotations

import datetime
import logging

from apiserver.api.meta.errors import StatusError
from apiserver.api.meta.types import Obj
from apiserver.informers.informer import Informer, running
from apiserver.informers.workqueue import WorkQueue, drain
from apiserver.registry.deletion import DeleteOptions, format_time
from apiserver.registry.registry import Registry
from apiserver.registry.strategies import NAMESPACE_FINALIZER
from apiserver.storage.interface import ListOptions, Preconditions

log = logging.getLogger(__name__)

MANAGER = "namespace-controller"
# how soon to look again at a namespace whose content is still going away (graceful pods, finalizers)
_RECHECK_SECONDS = 1.0
# kube's namespace condition types, each with the reason and message it carries while all is well
_HEALTHY = {
    "NamespaceDeletionDiscoveryFailure": ("ResourcesDiscovered", "All resources successfully discovered"),
    "NamespaceDeletionGroupVersionParsingFailure": ("ParsedGroupVersions",
                                                    "All legacy kube types successfully parsed"),
    "NamespaceDeletionContentFailure": ("ContentDeleted",
                                        "All content successfully deleted, may be waiting on finalization"),
    "NamespaceContentRemaining": ("ContentRemoved", "All content successfully removed"),
    "NamespaceFinalizersRemaining": ("ContentHasNoFinalizers", "All content-preserving finalizers finished"),
}


class NamespaceController:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.namespaces = registry.namespaces
        self.queue: WorkQueue[str] = WorkQueue()

    def observe(self, event: str, obj: Obj) -> None:
        meta = obj["metadata"]
        if event != "DELETED" and meta.get("deletionTimestamp"):
            self.queue.add(meta["name"])

    async def run(self) -> None:
        async with running(Informer(self.namespaces, self.observe)):
            await drain(self.queue, self.process, _RECHECK_SECONDS, "namespace controller")

    async def process(self, name: str) -> bool:
        """True when there is nothing more to do for this namespace."""
        try:
            namespace = await self.namespaces.get("", name)
        except StatusError as exc:
            if exc.code == 404:
                return True
            raise
        if not namespace["metadata"].get("deletionTimestamp"):
            return True
        if NAMESPACE_FINALIZER not in ((namespace.get("spec") or {}).get("finalizers") or []):
            return True
        remaining, finalizers = await self._delete_content(name)
        if remaining:
            await self._report(namespace, remaining, finalizers)
            return False
        await self._finalize(namespace)
        return True

    async def _delete_content(self, namespace: str) -> tuple[dict[str, int], dict[str, int]]:
        """Deletes every object in the namespace; returns what is still there, per resource and per finalizer."""
        remaining: dict[str, int] = {}
        finalizers: dict[str, int] = {}
        for store in self.registry.stores.values():
            r = store.info
            if not r.namespaced:
                continue
            listed = await store.list(namespace, ListOptions())
            for item in listed["items"]:
                meta = item["metadata"]
                if not meta.get("deletionTimestamp"):
                    try:
                        item, deleted = await store.delete(namespace, meta["name"], DeleteOptions(
                            Preconditions(uid=meta.get("uid")), propagation_policy="Background"))
                    except StatusError as exc:
                        if exc.code in (404, 409):
                            continue
                        raise
                    if deleted:
                        continue
                qualified = f"{r.plural}.{r.group}" if r.group else r.plural
                remaining[qualified] = remaining.get(qualified, 0) + 1
                for finalizer in item["metadata"].get("finalizers") or []:
                    finalizers[finalizer] = finalizers.get(finalizer, 0) + 1
        return remaining, finalizers

    async def _report(self, namespace: Obj, remaining: dict[str, int], finalizers: dict[str, int]) -> None:
        content = ", ".join(f"{resource} has {count} resource instances" for resource, count in
                            sorted(remaining.items()))
        held = ", ".join(f"{finalizer} in {count} resource instances" for finalizer, count in
                         sorted(finalizers.items()))
        wanted = {
            "NamespaceContentRemaining": ("True", "SomeResourcesRemain", f"Some resources are remaining: {content}"),
        }
        if finalizers:
            wanted["NamespaceFinalizersRemaining"] = (
                "True", "SomeFinalizersRemain", f"Some content in the namespace has finalizers remaining: {held}")
        await self._set_conditions(namespace, wanted)

    async def _set_conditions(self, namespace: Obj, wanted: dict[str, tuple[str, str, str]]) -> None:
        def change(obj: Obj) -> Obj:
            status = obj.setdefault("status", {})
            conditions = {c.get("type"): c for c in status.get("conditions") or []}
            now = format_time(datetime.datetime.now(datetime.UTC))
            for kind, healthy in _HEALTHY.items():
                state, reason, message = wanted.get(kind, ("False", *healthy))
                old = conditions.get(kind) or {}
                conditions[kind] = {"type": kind, "status": state, "reason": reason, "message": message,
                                    "lastTransitionTime": old.get("lastTransitionTime") if old.get("status") == state
                                    else now}
            status["conditions"] = [conditions[kind] for kind in _HEALTHY]
            return obj

        await self.namespaces.patch("", namespace["metadata"]["name"], "status", change, manager=MANAGER)

    async def _finalize(self, namespace: Obj) -> None:
        name = namespace["metadata"]["name"]
        released = {"metadata": {"name": name}, "spec": {"finalizers": [
            f for f in namespace["spec"]["finalizers"] if f != NAMESPACE_FINALIZER]}}
        log.info("namespace controller: namespace %s is empty, releasing it", name)
        await self.namespaces.update_subresource("", name, "finalize", released, manager=MANAGER)
