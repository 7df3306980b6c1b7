"""DefaultStorageClass: a PersistentVolumeClaim created without a class (neither `spec.storageClassName` nor the
beta annotation) gets the default StorageClass, if there is one."""
from __future__ import annotations

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, operations
from apiserver.admission.plugins.defaultclass import annotation_is_true, cached_classes, newest_default
from apiserver.api.meta.types import Obj
from apiserver.registry.store import RegistryStore

BETA_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"
DEFAULT_ANNOTATIONS = ("storageclass.kubernetes.io/is-default-class",
                       "storageclass.beta.kubernetes.io/is-default-class")


def claim_class(claim: Obj) -> str:
    """The class a claim asks for: the beta annotation wins over the field, as kube reads it."""
    annotations = (claim.get("metadata") or {}).get("annotations") or {}
    if BETA_CLASS_ANNOTATION in annotations:
        return str(annotations[BETA_CLASS_ANNOTATION])
    return str((claim.get("spec") or {}).get("storageClassName") or "")


def _is_default(storage_class: Obj) -> bool:
    return annotation_is_true(storage_class, *DEFAULT_ANNOTATIONS)


class DefaultStorageClass(Plugin):
    name = "DefaultStorageClass"
    operations = operations(Operation.CREATE)
    resources = frozenset({("", "persistentvolumeclaims", "")})

    def __init__(self, classes: RegistryStore) -> None:
        self.classes = classes

    async def admit(self, attrs: Attributes) -> None:
        claim = attrs.obj
        assert claim is not None
        annotations = (claim.get("metadata") or {}).get("annotations") or {}
        # an explicit "" asks for no class: only an absent field is defaulted
        if BETA_CLASS_ANNOTATION in annotations or (claim.get("spec") or {}).get("storageClassName") is not None:
            return
        default = newest_default(await cached_classes(self.classes), _is_default)
        if default is not None:
            claim.setdefault("spec", {})["storageClassName"] = default["metadata"]["name"]
