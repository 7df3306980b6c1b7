"""Turns the request into a user before anything else runs; a bad credential is 401. Once authenticated,
the headers that carried credentials are removed, so nothing further in (a proxy above all) sees them."""
from __future__ import annotations

from aiohttp import web
from multidict import CIMultiDict

from apiserver.api.meta import errors
from apiserver.authn.union import UnionAuthenticator
from apiserver.authn.user import AuthenticationFailed
from apiserver.request.context import authenticated_as


def _without(request: web.Request, names: list[str]) -> web.Request:
    if not names:
        return request
    headers = CIMultiDict(request.headers)
    for name in names:
        headers.popall(name, None)
    return request.clone(headers=headers)


def with_authentication(authenticator: UnionAuthenticator):
    @web.middleware
    async def authentication(request: web.Request, handler) -> web.StreamResponse:
        try:
            user = await authenticator.authenticate(request)
        except AuthenticationFailed:
            user = None
        if user is None:
            raise errors.unauthorized()
        request = _without(request, authenticator.credential_headers(request.headers.keys()))
        authenticated_as(request, user)
        return await handler(request)

    return authentication
