"""Priority: a new pod's `priority` and `preemptionPolicy` come from its PriorityClass (the global default one
when it names none, and it is then named), never from the client; an update keeps what creation set. At most
one PriorityClass may be the global default."""
from __future__ import annotations

from typing import Any

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, forbidden, operations
from apiserver.api.meta.types import Obj
from apiserver.registry.store import RegistryStore
from apiserver.storage.interface import ListOptions

# a pod's priority and policy when no class is named and none is the global default
NO_CLASS_PRIORITY = 0
NO_CLASS_PREEMPTION_POLICY = "PreemptLowerPriority"


def _spec(obj: Obj | None) -> Obj | None:
    spec = (obj or {}).get("spec")
    return spec if isinstance(spec, dict) else None


class Priority(Plugin):
    name = "Priority"
    operations = operations(Operation.CREATE, Operation.UPDATE, Operation.DELETE)

    def __init__(self, classes: RegistryStore) -> None:
        self.classes = classes

    def handles(self, attrs: Attributes) -> bool:
        return (super().handles(attrs) and not attrs.subresource
                and (attrs.matches("", "pods") or attrs.matches("scheduling.k8s.io", "priorityclasses")))

    async def admit(self, attrs: Attributes) -> None:
        if not attrs.matches("", "pods"):
            return
        spec = _spec(attrs.obj)
        if spec is None:
            return
        if attrs.operation is Operation.UPDATE:
            # validation forbids changing them; a client that leaves them out keeps them
            old = _spec(attrs.old) or {}
            for key in ("priority", "preemptionPolicy"):
                if spec.get(key) is None and old.get(key) is not None:
                    spec[key] = old[key]
        elif attrs.operation is Operation.CREATE:
            await self._resolve(attrs, spec)

    async def _resolve(self, attrs: Attributes, spec: Obj) -> None:
        class_name = spec.get("priorityClassName")
        if not class_name:
            default = await self.global_default()
            if default is None:
                priority: Any = NO_CLASS_PRIORITY
                policy: Any = NO_CLASS_PREEMPTION_POLICY
                # kube's JSON leaves the empty name out
                spec.pop("priorityClassName", None)
            else:
                priority, policy = default.get("value") or 0, default.get("preemptionPolicy")
                spec["priorityClassName"] = default["metadata"]["name"]
        else:
            found = await self.classes.find("", str(class_name))
            if found is None:
                raise forbidden(attrs, f"no PriorityClass with name {class_name} was found")
            priority, policy = found.get("value") or 0, found.get("preemptionPolicy")
        sent = spec.get("priority")
        if sent is not None and sent != priority:
            raise forbidden(attrs, f"the integer value of priority ({sent}) must not be provided in pod spec; priority "
                            f"admission controller computed {priority} from the given PriorityClass name")
        spec["priority"] = priority
        if policy is not None:
            sent = spec.get("preemptionPolicy")
            if sent is not None and sent != policy:
                raise forbidden(attrs, f"the string value of PreemptionPolicy ({sent}) must not be provided in pod "
                                f"spec; priority admission controller computed {policy} from the given "
                                "PriorityClass name")
            spec["preemptionPolicy"] = policy

    async def validate(self, attrs: Attributes) -> None:
        if not attrs.matches("scheduling.k8s.io", "priorityclasses") or attrs.obj is None:
            return
        if attrs.operation not in (Operation.CREATE, Operation.UPDATE) or not attrs.obj.get("globalDefault"):
            return
        default = await self.global_default()
        if default is None:
            return
        default_name = default["metadata"]["name"]
        if attrs.operation is Operation.CREATE or default_name != attrs.obj["metadata"].get("name"):
            raise forbidden(attrs, f"PriorityClass {default_name} is already marked as default. Only one default "
                            "can exist")

    async def global_default(self) -> Obj | None:
        """The global default class; of several (two made at once), the one of lowest value. Read from etcd:
        the check that there is only one must see a default made a moment ago."""
        listed = await self.classes.list("", ListOptions())
        found: Obj | None = None
        for item in listed["items"]:
            if item.get("globalDefault") and (found is None or (found.get("value") or 0) > (item.get("value") or 0)):
                found = item
        return found
