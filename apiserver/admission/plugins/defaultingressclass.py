"""DefaultIngressClass: an Ingress created without a class (neither `spec.ingressClassName` nor the legacy
kubernetes.io/ingress.class annotation) gets the default IngressClass, if there is one."""
from __future__ import annotations

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, operations
from apiserver.admission.plugins.defaultclass import annotation_is_true, cached_classes, newest_default
from apiserver.api.meta.types import Obj
from apiserver.registry.store import RegistryStore

NETWORKING_GROUP = "networking.k8s.io"
LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
DEFAULT_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"


def _is_default(ingress_class: Obj) -> bool:
    return annotation_is_true(ingress_class, DEFAULT_ANNOTATION)


class DefaultIngressClass(Plugin):
    name = "DefaultIngressClass"
    operations = operations(Operation.CREATE)
    resources = frozenset({(NETWORKING_GROUP, "ingresses", "")})

    def __init__(self, classes: RegistryStore) -> None:
        self.classes = classes

    async def admit(self, attrs: Attributes) -> None:
        ingress = attrs.obj
        assert ingress is not None
        annotations = (ingress.get("metadata") or {}).get("annotations") or {}
        if (ingress.get("spec") or {}).get("ingressClassName") is not None or LEGACY_CLASS_ANNOTATION in annotations:
            return
        default = newest_default(await cached_classes(self.classes), _is_default)
        if default is not None:
            ingress.setdefault("spec", {})["ingressClassName"] = default["metadata"]["name"]
