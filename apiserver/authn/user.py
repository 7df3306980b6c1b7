"""Who a request comes from, and the contract every authenticator keeps."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from aiohttp import web

AUTHENTICATED = "system:authenticated"
UNAUTHENTICATED = "system:unauthenticated"
ANONYMOUS = "system:anonymous"


@dataclass(frozen=True)
class UserInfo:
    name: str
    uid: str = ""
    groups: tuple[str, ...] = ()
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)


class AuthenticationFailed(Exception):
    """The request carried a credential and it is wrong: 401, never a fall-through to anonymous."""


class Authenticator(Protocol):
    async def authenticate(self, request: web.Request) -> UserInfo | None:
        """The user, or None for no opinion (this method does not apply to the request)."""
        ...
