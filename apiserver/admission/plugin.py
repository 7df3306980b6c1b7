"""An admission plugin: a name from kube's list, the operations it handles, and either or both phases.
`admit` (mutating) may change the object; `validate` may only refuse. A refusal is a StatusError built with
`forbidden` (kube's `<resource> "<name>" is forbidden: <why>`) or any other Status."""
from __future__ import annotations

from collections.abc import Iterable

from apiserver.admission.attributes import Attributes, Operation
from apiserver.api.meta import errors

ALL_OPERATIONS = frozenset(Operation)


class Plugin:
    name: str = ""
    operations: frozenset[Operation] = ALL_OPERATIONS
    # the (group, resource, subresource) the plugin acts on; empty: every resource
    resources: frozenset[tuple[str, str, str]] = frozenset()

    def handles(self, attrs: Attributes) -> bool:
        """Whether this request is any of the plugin's business; a cheap test on the operation and resource."""
        return attrs.operation in self.operations and (
            not self.resources or (attrs.group, attrs.resource, attrs.subresource) in self.resources)

    async def admit(self, attrs: Attributes) -> None:
        """The mutating phase; plugins that only validate keep this no-op."""

    async def validate(self, attrs: Attributes) -> None:
        """The validating phase; plugins that only mutate keep this no-op."""

    @property
    def mutating(self) -> bool:
        return type(self).admit is not Plugin.admit

    @property
    def validating(self) -> bool:
        return type(self).validate is not Plugin.validate

    async def start(self) -> None:
        """Starts what the plugin watches or runs; called once the replica's caches are filling."""

    async def stop(self) -> None:
        """Stops what `start` started."""


def operations(*ops: Operation) -> frozenset[Operation]:
    return frozenset(ops)


def forbidden(attrs: Attributes, why: str, causes: Iterable[errors.Cause] = ()) -> errors.StatusError:
    """kube's admission.NewForbidden: 403 on the resource (never the subresource), named by the new object's
    name, its generateName before the name is generated, or "Unknown" without an object (a DELETE)."""
    return errors.forbidden_on(attrs.resource, attrs.group, refused_name(attrs), why, list(causes))


def refused_name(attrs: Attributes) -> str:
    """The name kube's admission refusals give the object (see `forbidden`)."""
    meta = (attrs.obj or {}).get("metadata") or {}
    return meta.get("name") or meta.get("generateName") or "Unknown"
