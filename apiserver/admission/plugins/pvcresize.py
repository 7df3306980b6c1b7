"""PersistentVolumeClaimResize: a claim's storage request may grow only when the claim is bound and its
StorageClass (the same before and after) allows volume expansion."""
from __future__ import annotations

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, forbidden, operations
from apiserver.admission.plugins.defaultstorageclass import claim_class
from apiserver.api.meta import quantity
from apiserver.api.meta.types import Obj
from apiserver.registry.store import RegistryStore

_ZERO = quantity.parse("0")


def _requested(claim: Obj) -> quantity.Quantity:
    requests = ((claim.get("spec") or {}).get("resources") or {}).get("requests") or {}
    try:
        return quantity.parse(requests["storage"]) if "storage" in requests else _ZERO
    except quantity.QuantityError:
        return _ZERO


class PersistentVolumeClaimResize(Plugin):
    name = "PersistentVolumeClaimResize"
    operations = operations(Operation.UPDATE)
    resources = frozenset({("", "persistentvolumeclaims", "")})

    def __init__(self, classes: RegistryStore) -> None:
        self.classes = classes

    async def validate(self, attrs: Attributes) -> None:
        new, old = attrs.obj, attrs.old
        assert new is not None and old is not None
        if _requested(new).value <= _requested(old).value:
            return
        if (old.get("status") or {}).get("phase") != "Bound":
            raise forbidden(attrs, "Only bound persistent volume claims can be expanded")
        if not await self._expandable(claim_class(new), claim_class(old)):
            raise forbidden(attrs, "only dynamically provisioned pvc can be resized and the storageclass that "
                            "provisions the pvc must support resize")

    async def _expandable(self, new_class: str, old_class: str) -> bool:
        if not new_class or new_class != old_class:
            return False
        # kube reads its informer's cache; so does the watch cache's find
        storage_class = await self.classes.find("", new_class)
        return bool(storage_class and storage_class.get("allowVolumeExpansion") is True)
