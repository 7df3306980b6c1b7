"""NamespaceLifecycle: no new content in a namespace that does not exist or is being terminated, and the
immortal namespaces (default, kube-system, kube-public) are never deleted."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, operations, refused_name
from apiserver.api.meta import errors
from apiserver.api.meta.types import Obj
from apiserver.registry.store import check_namespace_open

IMMORTAL_NAMESPACES = frozenset({"default", "kube-system", "kube-public"})
# reviews answer about a namespace without touching it; refusing them would tell whether it exists
_ACCESS_REVIEWS = {("authorization.k8s.io", "localsubjectaccessreviews")}


class NamespaceLifecycle(Plugin):
    name = "NamespaceLifecycle"
    operations = operations(Operation.CREATE, Operation.UPDATE, Operation.DELETE)

    def __init__(self, find_namespace: Callable[[str], Awaitable[Obj | None]]) -> None:
        # the namespaces store's find: the watch cache, confirmed in etcd on a miss and read from etcd while the
        # cache lags this replica's own namespace writes (kube's live lookup of a namespace it just deleted)
        self.find_namespace = find_namespace

    async def admit(self, attrs: Attributes) -> None:
        if attrs.matches("", "namespaces"):
            if attrs.operation is Operation.DELETE and attrs.name in IMMORTAL_NAMESPACES:
                raise errors.forbidden_on("namespaces", "", attrs.name, "this namespace may not be deleted")
            return
        if not attrs.namespace or attrs.operation is Operation.DELETE:
            return
        if (attrs.group, attrs.resource) in _ACCESS_REVIEWS:
            return
        check_namespace_open(await self.find_namespace(attrs.namespace), attrs.namespace, attrs.resource,
                             attrs.group, refused_name(attrs), creating=attrs.operation is Operation.CREATE)
