"""DenyServiceExternalIPs: no Service may take on an external IP it did not already have; removing them is
allowed, so that existing Services can be cleaned up."""
from __future__ import annotations

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, forbidden, operations
from apiserver.api.meta.types import Obj


def _external_ips(service: Obj | None) -> list[str]:
    return list(((service or {}).get("spec") or {}).get("externalIPs") or [])


class DenyServiceExternalIPs(Plugin):
    name = "DenyServiceExternalIPs"
    operations = operations(Operation.CREATE, Operation.UPDATE)
    resources = frozenset({("", "services", "")})

    async def validate(self, attrs: Attributes) -> None:
        held = set(_external_ips(attrs.old))
        if any(ip not in held for ip in _external_ips(attrs.obj)):
            raise forbidden(attrs, "Use of external IPs is denied by admission control")
