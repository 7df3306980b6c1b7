"""kube-controller-manager's pvc-protection and pv-protection controllers, which StorageObjectInUseProtection
needs: the plugin puts `kubernetes.io/pvc-protection` on every new claim and `kubernetes.io/pv-protection` on
every new volume, and these take the finalizer off once the object is being deleted and nothing uses it any
more: a claim no pod that is still running (not Succeeded or Failed) mounts, a volume no longer Bound. Without
them a deleted claim, a deleted volume, and a namespace holding claims would stay Terminating for good."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from apiserver.api.meta.errors import StatusError
from apiserver.api.meta.types import Obj
from apiserver.authz.nodegraph import pod_edges
from apiserver.informers.informer import Informer
from apiserver.registry.registry import Registry
from apiserver.registry.store import RegistryStore
from apiserver.storage.interface import ListOptions

log = logging.getLogger(__name__)

PVC_FINALIZER = "kubernetes.io/pvc-protection"
PV_FINALIZER = "kubernetes.io/pv-protection"
_FINISHED = ("Succeeded", "Failed")


def _held_by(obj: Obj, finalizer: str) -> bool:
    meta = obj["metadata"]
    return bool(meta.get("deletionTimestamp")) and finalizer in (meta.get("finalizers") or [])


def claims_in_use(pod: Obj) -> frozenset[str]:
    """The claims a pod that has not finished mounts."""
    if (pod.get("status") or {}).get("phase") in _FINISHED:
        return frozenset()
    return pod_edges(pod).claims


class StorageProtection:
    def __init__(self, registry: Registry) -> None:
        self.claims = registry.store("", "v1", "persistentvolumeclaims")
        self.volumes = registry.store("", "v1", "persistentvolumes")
        self.pods = registry.store("", "v1", "pods")
        # (namespace, name) of claims and ("", name) of volumes to look at again
        self.dirty_claims: set[tuple[str, str]] = set()
        self.dirty_volumes: set[str] = set()
        self.terminating_claims: set[tuple[str, str]] = set()
        self.wake = asyncio.Event()

    def _claim_changed(self, event: str, claim: Obj) -> None:
        key = (claim["metadata"].get("namespace", ""), claim["metadata"]["name"])
        if event != "DELETED" and _held_by(claim, PVC_FINALIZER):
            self.terminating_claims.add(key)
            self.dirty_claims.add(key)
            self.wake.set()
        else:
            self.terminating_claims.discard(key)

    def _volume_changed(self, event: str, volume: Obj) -> None:
        if event != "DELETED" and _held_by(volume, PV_FINALIZER):
            self.dirty_volumes.add(volume["metadata"]["name"])
            self.wake.set()

    def _pod_changed(self, event: str, pod: Obj) -> None:
        # a pod that goes away or finishes may free the claims of its namespace that wait
        namespace = pod["metadata"].get("namespace", "")
        waiting = {key for key in self.terminating_claims if key[0] == namespace}
        if waiting:
            self.dirty_claims |= waiting
            self.wake.set()

    async def run(self) -> None:
        informers = [Informer(self.claims, self._claim_changed), Informer(self.volumes, self._volume_changed),
                     Informer(self.pods, self._pod_changed)]
        tasks = [asyncio.create_task(i.run(), name=f"storage protection informer {i.store.info.plural}")
                 for i in informers]
        try:
            while True:
                await self.wake.wait()
                self.wake.clear()
                claims, self.dirty_claims = self.dirty_claims, set()
                volumes, self.dirty_volumes = self.dirty_volumes, set()
                for namespace, name in claims:
                    await self._release_claim(namespace, name)
                for name in volumes:
                    await self._release(self.volumes, "", name, PV_FINALIZER, self._volume_in_use)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _release_claim(self, namespace: str, name: str) -> None:
        async def in_use(claim: Obj) -> bool:
            pods = await self.pods.list(namespace, ListOptions(resource_version="0"))
            return any(name in claims_in_use(pod) for pod in pods["items"])

        await self._release(self.claims, namespace, name, PVC_FINALIZER, in_use)

    @staticmethod
    async def _volume_in_use(volume: Obj) -> bool:
        return (volume.get("status") or {}).get("phase") == "Bound"

    @staticmethod
    async def _release(store: RegistryStore, namespace: str, name: str, finalizer: str,
                       in_use: Callable[[Obj], Awaitable[bool]]) -> None:
        current = await store.find(namespace, name)
        if current is None or not _held_by(current, finalizer) or await in_use(current):
            return

        def without(obj: Obj) -> Obj:
            meta = obj["metadata"]
            meta["finalizers"] = [f for f in meta.get("finalizers") or [] if f != finalizer]
            return obj

        try:
            await store.patch(namespace, name, "", without)
        except StatusError as exc:
            if exc.code != 404:
                log.warning("removing %s from %s %s/%s: %s", finalizer, store.info.plural, namespace, name,
                            exc.message)
