"""RuntimeClass: a new pod naming a RuntimeClass gets the class's pod overhead (which the client may not set to
anything else) and is confined to the nodes the class schedules onto (its node selector and tolerations merged
into the pod's). A pod setting an overhead without a class that defines one is refused."""
from __future__ import annotations

from typing import Any

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, forbidden, operations
from apiserver.admission.plugins import tolerations
from apiserver.api.meta import quantity
from apiserver.api.meta.types import Obj
from apiserver.registry.store import RegistryStore

OVERHEAD_MISMATCH = "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead"
OVERHEAD_WITHOUT_CLASS = "pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead"


def _amount(value: Any) -> Any:
    """A quantity compared by its amount (`100m` is `0.1`); what does not parse, by its text."""
    try:
        return quantity.parse(value).value
    except quantity.QuantityError:
        return value


def same_resources(a: Any, b: Any) -> bool:
    """Semantic equality of two resource lists: an absent list is an empty one."""
    a, b = a or {}, b or {}
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return bool(a == b)
    return a.keys() == b.keys() and all(_amount(a[name]) == _amount(b[name]) for name in a)


class RuntimeClass(Plugin):
    name = "RuntimeClass"
    operations = operations(Operation.CREATE)
    resources = frozenset({("", "pods", "")})

    def __init__(self, classes: RegistryStore) -> None:
        self.classes = classes

    async def _runtime_class(self, attrs: Attributes, spec: Obj) -> Obj | None:
        name = spec.get("runtimeClassName")
        if name is None:
            return None
        found = await self.classes.find("", str(name))
        if found is None:
            raise forbidden(attrs, f'pod rejected: RuntimeClass "{name}" not found')
        return found

    async def admit(self, attrs: Attributes) -> None:
        spec = (attrs.obj or {}).get("spec")
        if not isinstance(spec, dict):
            return
        runtime_class = await self._runtime_class(attrs, spec)
        if runtime_class is None:
            return
        overhead = runtime_class.get("overhead")
        if isinstance(overhead, dict):
            fixed = overhead.get("podFixed")
            if spec.get("overhead") is not None and not same_resources(fixed, spec["overhead"]):
                raise forbidden(attrs, OVERHEAD_MISMATCH)
            if fixed is None:
                spec.pop("overhead", None)
            else:
                spec["overhead"] = dict(fixed)
        scheduling = runtime_class.get("scheduling")
        if isinstance(scheduling, dict):
            self._schedule(attrs, spec, scheduling)

    @staticmethod
    def _schedule(attrs: Attributes, spec: Obj, scheduling: Obj) -> None:
        wanted = scheduling.get("nodeSelector") or {}
        selector = spec.get("nodeSelector")
        if selector is None:
            selector = dict(wanted) or None
        else:
            for key, value in wanted.items():
                if key in selector and selector[key] != value:
                    raise forbidden(attrs, f"conflict: runtimeClass.scheduling.nodeSelector[{key}] = {value}; "
                                    f"pod.spec.nodeSelector[{key}] = {selector[key]}")
                selector[key] = value
        merged = tolerations.merge([t for t in spec.get("tolerations") or [] if isinstance(t, dict)],
                                   [t for t in scheduling.get("tolerations") or [] if isinstance(t, dict)])
        for key, value in (("nodeSelector", selector), ("tolerations", merged)):
            if value:
                spec[key] = value
            else:
                spec.pop(key, None)

    async def validate(self, attrs: Attributes) -> None:
        spec = (attrs.obj or {}).get("spec")
        if not isinstance(spec, dict):
            return
        runtime_class = await self._runtime_class(attrs, spec)
        overhead = (runtime_class or {}).get("overhead")
        if isinstance(overhead, dict):
            if not same_resources(overhead.get("podFixed"), spec.get("overhead")):
                raise forbidden(attrs, OVERHEAD_MISMATCH)
        elif spec.get("overhead") is not None:
            raise forbidden(attrs, OVERHEAD_WITHOUT_CLASS)
