"""The serviceaccounts controller (kube-controller-manager's, run here on the elected leader): every active
namespace has a `default` ServiceAccount, created when the namespace appears and again whenever it is deleted."""
from __future__ import annotations

from apiserver.api.meta.errors import StatusError
from apiserver.api.meta.types import Obj
from apiserver.informers.informer import Informer, running
from apiserver.informers.workqueue import WorkQueue, drain
from apiserver.registry.registry import Registry

MANAGER = "kube-controller-manager"
DEFAULT_ACCOUNT = "default"
_RETRY_SECONDS = 1.0


class ServiceAccountsController:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.accounts = registry.store("", "v1", "serviceaccounts")
        self.queue: WorkQueue[str] = WorkQueue()

    def _namespace_changed(self, event: str, obj: Obj) -> None:
        if event != "DELETED":
            self.queue.add(obj["metadata"]["name"])

    def _account_changed(self, event: str, obj: Obj) -> None:
        if event == "DELETED" and obj["metadata"].get("name") == DEFAULT_ACCOUNT:
            self.queue.add(obj["metadata"].get("namespace", ""))

    async def run(self) -> None:
        async with running(Informer(self.registry.namespaces, self._namespace_changed),
                           Informer(self.accounts, self._account_changed)):
            await drain(self.queue, self.sync, _RETRY_SECONDS, "serviceaccounts controller")

    async def sync(self, namespace: str) -> None:
        found = await self.registry.find_namespace(namespace)
        # a terminating namespace refuses new objects; kube's controller leaves it alone
        if found is None or found["metadata"].get("deletionTimestamp"):
            return
        if await self.accounts.find(namespace, DEFAULT_ACCOUNT) is not None:
            return
        try:
            await self.accounts.create(namespace, {"apiVersion": "v1", "kind": "ServiceAccount",
                                                   "metadata": {"name": DEFAULT_ACCOUNT}}, manager=MANAGER)
        except StatusError as exc:
            # someone else made it meanwhile, or the namespace began terminating
            if exc.code not in (403, 409):
                raise
