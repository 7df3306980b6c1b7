"""DefaultTolerationSeconds: a pod that does not already tolerate its node becoming not ready or unreachable
tolerates each for a while (the --default-not-ready-toleration-seconds and
--default-unreachable-toleration-seconds flags), so that a short node outage does not evict it at once."""
from __future__ import annotations

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, operations
from apiserver.admission.plugins import tolerations
from apiserver.api.meta.types import Obj

NOT_READY_TAINT = "node.kubernetes.io/not-ready"
UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"


def _tolerates(items: list[Obj], key: str) -> bool:
    """Whether one of the tolerations covers the NoExecute taint `key` (an empty key or effect covers all)."""
    return any(str(t.get("key") or "") in (key, "") and str(t.get("effect") or "") in ("NoExecute", "")
               for t in items)


class DefaultTolerationSeconds(Plugin):
    name = "DefaultTolerationSeconds"
    operations = operations(Operation.CREATE, Operation.UPDATE)
    resources = frozenset({("", "pods", "")})

    def __init__(self, not_ready_seconds: int, unreachable_seconds: int) -> None:
        self.seconds = {NOT_READY_TAINT: not_ready_seconds, UNREACHABLE_TAINT: unreachable_seconds}

    async def admit(self, attrs: Attributes) -> None:
        spec = (attrs.obj or {}).get("spec")
        if not isinstance(spec, dict):
            return
        present = [t for t in spec.get("tolerations") or [] if isinstance(t, dict)]
        for key, seconds in self.seconds.items():
            if not _tolerates(present, key):
                tolerations.add_or_update(spec, {"key": key, "operator": "Exists", "effect": "NoExecute",
                                                 "tolerationSeconds": seconds})
