"""The contract every authenticator keeps."""
from __future__ import annotations

from typing import Protocol

from aiohttp import web

from apiserver.request.user import UserInfo


class AuthenticationFailed(Exception):
    """The request carried a credential and it is wrong: 401, never a fall-through to anonymous."""


class Authenticator(Protocol):
    async def authenticate(self, request: web.Request) -> UserInfo | None:
        """The user, or None for no opinion (this method does not apply to the request)."""
        ...
