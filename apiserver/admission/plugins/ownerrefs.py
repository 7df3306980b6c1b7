"""OwnerReferencesPermissionEnforcement: changing an object's ownerReferences needs the right to delete the
object (a create is exempt: its author could as well not have made it), and making a reference block its
owner's deletion (`blockOwnerDeletion: true` on a new reference or one that did not block) needs the right to
update the owner's `finalizers` subresource, which is what blocking amounts to."""
from __future__ import annotations

from typing import Any

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, forbidden, operations
from apiserver.admission.plugins.authcheck import ask
from apiserver.api.meta.goformat import quote
from apiserver.api.meta.types import Obj
from apiserver.authz.authorizer import UnionAuthorizer
from apiserver.registry.catalogue import Catalogue

# pods/status is spared: the pod status strategy keeps ownerReferences as stored, and old kubelets send them
# mangled
_EXEMPT = {("", "pods", "status")}


def _owner_refs(obj: Obj | None) -> list[dict[str, Any]]:
    return [ref for ref in ((obj or {}).get("metadata") or {}).get("ownerReferences") or []
            if isinstance(ref, dict)]


def _blocking(ref: dict[str, Any]) -> bool:
    return ref.get("blockOwnerDeletion") is True


def newly_blocking(new: Obj | None, old: Obj | None) -> list[dict[str, Any]]:
    """References that block their owner's deletion now and did not before (or did not exist)."""
    before = {ref.get("uid"): ref for ref in _owner_refs(old)}
    return [ref for ref in _owner_refs(new) if _blocking(ref)
            and not (ref.get("uid") in before and _blocking(before[ref.get("uid")]))]


class UnmappedKind(Exception):
    """An owner reference names a kind this server does not serve (kube's RESTMapper error)."""


def _split_group_version(api_version: str) -> tuple[str, str]:
    parts = api_version.split("/")
    if api_version == "":
        return "", ""
    if len(parts) == 1:
        return "", api_version
    if len(parts) == 2:
        return parts[0], parts[1]
    raise UnmappedKind(f"unexpected GroupVersion string: {api_version}")


class OwnerReferencesPermissionEnforcement(Plugin):
    name = "OwnerReferencesPermissionEnforcement"
    operations = operations(Operation.CREATE, Operation.UPDATE)

    def __init__(self, authz: UnionAuthorizer, catalogue: Catalogue) -> None:
        self.authz = authz
        self.catalogue = catalogue

    def handles(self, attrs: Attributes) -> bool:
        return super().handles(attrs) and (attrs.group, attrs.resource, attrs.subresource) not in _EXEMPT

    def resources_for(self, api_version: str, kind: str) -> tuple[str, str, list[str]]:
        """(group, version, plurals) of the kind in that version, as kube's RESTMapper maps it; an empty version
        looks in every version of the group."""
        group, version = _split_group_version(api_version)
        plurals = sorted({row.plural for row in self.catalogue.rows if row.group == group and row.kind == kind
                          and (not version or row.version == version)})
        if not plurals:
            where = f"in version {quote(f'{group}/{version}' if group else version)}" if version \
                else f"in group {quote(group)}"
            raise UnmappedKind(f"no matches for kind {quote(kind)} {where}")
        return group, version or "*", plurals

    async def validate(self, attrs: Attributes) -> None:
        new_refs, old_refs = _owner_refs(attrs.obj), _owner_refs(attrs.old)
        unchanged = not new_refs if attrs.old is None else new_refs == old_refs
        if unchanged:
            return
        user, namespace = attrs.user, attrs.namespace
        if attrs.operation is not Operation.CREATE:
            answer = await ask(self.authz, user, "delete", attrs.request_group, attrs.resource, name=attrs.name,
                               namespace=namespace, subresource=attrs.subresource, version=attrs.request_version)
            if not answer.allowed:
                raise forbidden(attrs, f"cannot set an ownerRef on a resource you can't delete: {answer.reason}, "
                                f"{answer.go_error()}")
        blocking = newly_blocking(attrs.obj, attrs.old)
        if not blocking:
            return
        # who may finalize anything needs no mapping of the owners' kinds
        if (await ask(self.authz, user, "update", "*", "*", name="*", subresource="finalizers")).allowed:
            return
        for ref in blocking:
            api_version, kind = str(ref.get("apiVersion") or ""), str(ref.get("kind") or "")
            try:
                group, version, plurals = self.resources_for(api_version, kind)
            except UnmappedKind as exc:
                raise forbidden(attrs, "cannot set blockOwnerDeletion in this case because cannot find RESTMapping "
                                f"for APIVersion {api_version} Kind {kind}: {exc}") from None
            for plural in plurals:
                answer = await ask(self.authz, user, "update", group, plural, name=str(ref.get("name") or ""),
                                   namespace=namespace, subresource="finalizers", version=version)
                if not answer.allowed:
                    raise forbidden(attrs, "cannot set blockOwnerDeletion if an ownerReference refers to a resource "
                                    f"you can't set finalizers on: {answer.reason}, {answer.go_error()}")
