"""LimitPodHardAntiAffinityTopology: a pod's required anti-affinity may only spread over hosts
(`kubernetes.io/hostname`), so that one pod cannot keep a whole zone or region from others."""
from __future__ import annotations

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, forbidden, operations

HOSTNAME_LABEL = "kubernetes.io/hostname"


class LimitPodHardAntiAffinityTopology(Plugin):
    name = "LimitPodHardAntiAffinityTopology"
    operations = operations(Operation.CREATE, Operation.UPDATE)
    resources = frozenset({("", "pods", "")})

    async def validate(self, attrs: Attributes) -> None:
        anti = attrs.value("spec", "affinity", "podAntiAffinity")
        if not isinstance(anti, dict):
            return
        for term in anti.get("requiredDuringSchedulingIgnoredDuringExecution") or []:
            key = str((term or {}).get("topologyKey") or "")
            if key != HOSTNAME_LABEL:
                raise forbidden(attrs, f"affinity.PodAntiAffinity.RequiredDuringScheduling has TopologyKey {key} but "
                                f"only key {HOSTNAME_LABEL} is allowed")
