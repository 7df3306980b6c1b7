"""Asks the authorizer whether the user may do the verb on the resource; 403 Forbidden otherwise."""
from __future__ import annotations

from aiohttp import web

from apiserver.api.meta import errors
from apiserver.authz.authorizer import (
    Attributes,
    AuthorizationFailed,
    Decision,
    UnionAuthorizer,
    forbidden_message,
)
from apiserver.request.context import request_info, request_user


def forbidden(attributes: Attributes, reason: str) -> errors.StatusError:
    info = attributes.info
    return errors.StatusError(403, "Forbidden", forbidden_message(attributes, reason), name=info.name,
                              group=info.api_group, kind=info.resource)


async def require_allowed(authorizer: UnionAuthorizer, attributes: Attributes) -> None:
    """Raises 403 unless allowed; 500 when no mode allowed and one of them could not evaluate (kube's rule)."""
    try:
        decision, reason = await authorizer.authorize(attributes)
    except AuthorizationFailed as exc:
        raise errors.internal_error(str(exc)) from None
    if decision is not Decision.ALLOW:
        raise forbidden(attributes, reason)


def with_authorization(authorizer: UnionAuthorizer):
    @web.middleware
    async def authorization(request: web.Request, handler) -> web.StreamResponse:
        attributes = Attributes(request_user(request), request_info(request),
                                request.query.get("fieldSelector", ""))
        await require_allowed(authorizer, attributes)
        return await handler(request)

    return authorization
