"""Stands in for the kubelet at the end of a pod's graceful deletion.

A pod on a node is deleted gracefully: it gets deletionTimestamp and stays, because in a real cluster its
kubelet stops the containers and then deletes the pod for good. This server has no kubelets, so once a
pod's grace period is over the elected leader deletes it the way a kubelet would (grace period 0, uid
precondition). Finalizers still hold the pod after that, as they would in kube.
"""
from __future__ import annotations

import asyncio
import datetime
import logging

from apiserver.api.meta.errors import StatusError
from apiserver.api.meta.types import Obj
from apiserver.informers.informer import Informer
from apiserver.registry.deletion import DeleteOptions, parse_time
from apiserver.registry.store import RegistryStore
from apiserver.storage.interface import Preconditions

log = logging.getLogger(__name__)

_TICK_SECONDS = 0.5


class PodTerminator:
    def __init__(self, pods: RegistryStore) -> None:
        self.pods = pods
        # uid → (namespace, name, when the grace period ends)
        self.due: dict[str, tuple[str, str, datetime.datetime]] = {}

    def observe(self, event: str, obj: Obj) -> None:
        meta = obj["metadata"]
        uid = meta.get("uid", "")
        if event != "DELETED" and meta.get("deletionTimestamp") and meta.get("deletionGracePeriodSeconds"):
            self.due[uid] = (meta.get("namespace", ""), meta["name"], parse_time(meta["deletionTimestamp"]))
        else:
            self.due.pop(uid, None)

    async def run(self) -> None:
        task = asyncio.create_task(Informer(self.pods, self.observe).run(), name="pod termination informer")
        try:
            while True:
                await asyncio.sleep(_TICK_SECONDS)
                now = datetime.datetime.now(datetime.UTC)
                for uid, (namespace, name, deadline) in list(self.due.items()):
                    if deadline <= now:
                        await self._terminate(uid, namespace, name)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _terminate(self, uid: str, namespace: str, name: str) -> None:
        try:
            await self.pods.delete(namespace, name, DeleteOptions(Preconditions(uid=uid), grace_period_seconds=0))
        except StatusError as exc:
            if exc.code not in (404, 409):
                log.warning("ending the grace period of pod %s/%s: %s", namespace, name, exc.message)
                return
        self.due.pop(uid, None)
