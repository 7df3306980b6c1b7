"""Turns the request into a user before anything else runs; a bad credential is 401."""
from __future__ import annotations

from aiohttp import web

from apiserver.api import errors
from apiserver.authn.union import UnionAuthenticator
from apiserver.authn.user import AuthenticationFailed, UserInfo

USER = "user"


def request_user(request: web.Request) -> UserInfo:
    return request[USER]


def with_authentication(authenticator: UnionAuthenticator):
    @web.middleware
    async def authentication(request: web.Request, handler) -> web.StreamResponse:
        try:
            user = await authenticator.authenticate(request)
        except AuthenticationFailed:
            user = None
        if user is None:
            raise errors.unauthorized()
        request[USER] = user
        return await handler(request)

    return authentication
