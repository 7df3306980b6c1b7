"""The write path's hook for checks that need the requesting user: per resource, a list of async callables the
REST handler binds to the request's user and the store calls with the object about to be stored (and the
stored one for an update, patch or apply), after defaulting and validation and before the write, on every
attempt of a read-modify-write. A check refuses by raising a StatusError.

RBAC's escalation prevention is the first user; admission plugins (validating, then mutating ones) are meant
to register here too."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from apiserver.api.meta.types import Obj
from apiserver.request.info import RequestInfo
from apiserver.request.user import UserInfo

# what the store calls: (object to store, stored object or None on create)
Admit = Callable[[Obj, Obj | None], Awaitable[None]]


@dataclass(frozen=True)
class AdmissionRequest:
    user: UserInfo
    info: RequestInfo
    new: Obj
    old: Obj | None


class AdmissionCheck(Protocol):
    async def __call__(self, request: AdmissionRequest) -> None: ...


@dataclass
class Admission:
    checks: dict[tuple[str, str], list[AdmissionCheck]] = field(default_factory=dict)

    def register(self, group: str, resource: str, check: AdmissionCheck) -> None:
        self.checks.setdefault((group, resource), []).append(check)

    def bind(self, user: UserInfo, info: RequestInfo) -> Admit | None:
        """The request's checks as one callable for the store; None when the resource has none."""
        checks = self.checks.get((info.api_group, info.resource))
        if not checks:
            return None

        async def admit(new: Obj, old: Obj | None) -> None:
            for check in checks:
                await check(AdmissionRequest(user, info, new, old))

        return admit
