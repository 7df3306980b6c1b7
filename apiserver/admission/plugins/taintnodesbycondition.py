"""TaintNodesByCondition: a Node is created tainted not-ready (NoSchedule), so nothing is scheduled to it before
its controller has seen it ready and lifted the taint."""
from __future__ import annotations

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, operations

NOT_READY_TAINT = {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}


class TaintNodesByCondition(Plugin):
    name = "TaintNodesByCondition"
    operations = operations(Operation.CREATE)
    resources = frozenset({("", "nodes", "")})

    async def admit(self, attrs: Attributes) -> None:
        assert attrs.obj is not None
        spec = attrs.obj.setdefault("spec", {})
        if not isinstance(spec, dict):
            return
        taints = spec.get("taints") or []
        if not isinstance(taints, list):
            return
        # a taint is the same one when its key and effect are (kube's MatchTaint)
        if any(isinstance(t, dict) and t.get("key") == NOT_READY_TAINT["key"]
               and t.get("effect") == NOT_READY_TAINT["effect"] for t in taints):
            return
        spec["taints"] = [*taints, dict(NOT_READY_TAINT)]
