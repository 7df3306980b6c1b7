"""Asks the authorizer whether the user may do the verb on the resource; 403 Forbidden otherwise."""
from __future__ import annotations

from aiohttp import web

from apiserver.api import errors
from apiserver.authz.authorizer import Attributes, Decision, UnionAuthorizer, forbidden_message
from apiserver.filters.authentication import request_user
from apiserver.filters.requestinfo import request_info


# kube-apiserver grants these to everyone through the system:public-info-viewer role; here they stay open
# whatever the authorization mode, so that load balancers and orchestrators can always probe a replica
ALWAYS_ALLOWED_PATHS = frozenset({"/healthz", "/livez", "/readyz", "/version"})


def with_authorization(authorizer: UnionAuthorizer):
    @web.middleware
    async def authorization(request: web.Request, handler) -> web.StreamResponse:
        if request.path.rstrip("/") in ALWAYS_ALLOWED_PATHS or request.path.startswith(("/healthz/", "/livez/",
                                                                                          "/readyz/")):
            return await handler(request)
        attributes = Attributes(request_user(request), request_info(request))
        decision, reason = await authorizer.authorize(attributes)
        if decision is not Decision.ALLOW:
            info = attributes.info
            raise errors.StatusError(403, "Forbidden", forbidden_message(attributes, reason), name=info.name,
                                     group=info.api_group, kind=info.resource)
        return await handler(request)

    return authorization
