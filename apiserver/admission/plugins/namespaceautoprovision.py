"""NamespaceAutoProvision: creating something in a namespace that does not exist creates the namespace first,
for clusters that do not want namespaces declared before use. It runs before NamespaceLifecycle, which then
finds the namespace."""
from __future__ import annotations

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, forbidden, operations
from apiserver.api.meta import errors
from apiserver.registry.store import RegistryStore


def is_namespace(attrs: Attributes) -> bool:
    return attrs.object_kind[0] == "" and attrs.object_kind[2] == "Namespace"


class NamespaceAutoProvision(Plugin):
    name = "NamespaceAutoProvision"
    operations = operations(Operation.CREATE)

    def __init__(self, namespaces: RegistryStore) -> None:
        self.namespaces = namespaces

    def handles(self, attrs: Attributes) -> bool:
        return super().handles(attrs) and bool(attrs.namespace) and not is_namespace(attrs)

    async def admit(self, attrs: Attributes) -> None:
        # a dry run must leave no namespace behind
        if attrs.dry_run or await self.namespaces.find("", attrs.namespace) is not None:
            return
        namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": attrs.namespace}}
        try:
            await self.namespaces.create("", namespace)
        except errors.StatusError as exc:
            # another request may have made it meanwhile
            if exc.reason != "AlreadyExists":
                raise forbidden(attrs, exc.message) from None
