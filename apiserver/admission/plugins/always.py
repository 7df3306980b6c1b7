"""AlwaysAdmit and AlwaysDeny, kube's two trivial plugins: the first lets everything through, the second refuses
every write and connect in both phases (kube keeps it for tests)."""
from __future__ import annotations

from apiserver.admission.attributes import Attributes
from apiserver.admission.plugin import Plugin
from apiserver.api.meta import errors

DENIAL = "admission control is denying all modifications"


class AlwaysAdmit(Plugin):
    """Has neither phase, so the chain never calls it: everything it would be asked about is admitted."""
    name = "AlwaysAdmit"


class AlwaysDeny(Plugin):
    name = "AlwaysDeny"

    def _denial(self, attrs: Attributes) -> errors.StatusError:
        # kube names the object the request names, the new object's name on a create, "Unknown" when neither has
        # one yet
        return errors.forbidden_on(attrs.resource, attrs.group, attrs.name or "Unknown", DENIAL)

    async def admit(self, attrs: Attributes) -> None:
        raise self._denial(attrs)

    async def validate(self, attrs: Attributes) -> None:
        raise self._denial(attrs)
