"""NamespaceExists: nothing is created, changed or deleted in a namespace that does not exist (a subset of what
NamespaceLifecycle checks, for clusters that run without it)."""
from __future__ import annotations

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, operations
from apiserver.admission.plugins.namespaceautoprovision import is_namespace
from apiserver.api.meta import errors
from apiserver.registry.store import RegistryStore


class NamespaceExists(Plugin):
    name = "NamespaceExists"
    operations = operations(Operation.CREATE, Operation.UPDATE, Operation.DELETE)

    def __init__(self, namespaces: RegistryStore) -> None:
        self.namespaces = namespaces

    def handles(self, attrs: Attributes) -> bool:
        return super().handles(attrs) and bool(attrs.namespace) and not is_namespace(attrs)

    async def validate(self, attrs: Attributes) -> None:
        # the watch cache first, then etcd, as kube asks its lister and then the server itself
        if await self.namespaces.find("", attrs.namespace) is None:
            raise errors.not_found("namespaces", "", attrs.namespace)
