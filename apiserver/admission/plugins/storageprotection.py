"""StorageObjectInUseProtection: every new PersistentVolumeClaim carries the kubernetes.io/pvc-protection
finalizer and every new PersistentVolume kubernetes.io/pv-protection, so that the controllers can hold back
the deletion of one still in use."""
from __future__ import annotations

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, operations

FINALIZERS = {"persistentvolumeclaims": "kubernetes.io/pvc-protection",
              "persistentvolumes": "kubernetes.io/pv-protection"}


class StorageObjectInUseProtection(Plugin):
    name = "StorageObjectInUseProtection"
    operations = operations(Operation.CREATE)

    def handles(self, attrs: Attributes) -> bool:
        return (super().handles(attrs) and attrs.group == "" and attrs.resource in FINALIZERS
                and not attrs.subresource)

    async def admit(self, attrs: Attributes) -> None:
        assert attrs.obj is not None
        finalizer = FINALIZERS[attrs.resource]
        meta = attrs.obj.setdefault("metadata", {})
        finalizers = list(meta.get("finalizers") or [])
        if finalizer not in finalizers:
            meta["finalizers"] = [*finalizers, finalizer]
