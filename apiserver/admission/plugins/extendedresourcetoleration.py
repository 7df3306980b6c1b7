"""ExtendedResourceToleration: a pod requesting an extended resource (`example.com/gpu`) tolerates the NoSchedule
taint of that name, which operators put on the nodes offering it so that other pods stay off them."""
from __future__ import annotations

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, operations
from apiserver.admission.plugins import tolerations
from apiserver.api.meta.labels import qualified_name_errors

# quota's name of a resource request, under which an extended resource's name must still be a qualified name
_REQUESTS_PREFIX = "requests."


def is_extended_resource(name: str) -> bool:
    """kube's IsExtendedResourceName: a domain-prefixed name outside kubernetes.io, not quota's `requests.`."""
    if "/" not in name or "kubernetes.io/" in name or name.startswith(_REQUESTS_PREFIX):
        return False
    return not qualified_name_errors(_REQUESTS_PREFIX + name)


class ExtendedResourceToleration(Plugin):
    name = "ExtendedResourceToleration"
    operations = operations(Operation.CREATE, Operation.UPDATE)
    resources = frozenset({("", "pods", "")})

    async def admit(self, attrs: Attributes) -> None:
        spec = (attrs.obj or {}).get("spec")
        if not isinstance(spec, dict):
            return
        names: set[str] = set()
        for kind in ("containers", "initContainers"):
            for container in spec.get(kind) or []:
                requests = ((container or {}).get("resources") or {}).get("requests") or {}
                names.update(name for name in requests if is_extended_resource(name))
        for name in sorted(names):
            tolerations.add_or_update(spec, {"key": name, "operator": "Exists", "effect": "NoSchedule"})
