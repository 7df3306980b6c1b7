"""Authenticators tried in order; the first with an opinion decides. Anonymous comes last, if enabled."""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from aiohttp import web

from apiserver.authn.token_file import bearer_token
from apiserver.authn.user import (ANONYMOUS, AUTHENTICATED, UNAUTHENTICATED, AuthenticationFailed, Authenticator,
                                 UserInfo)


class UnionAuthenticator:
    def __init__(self, authenticators: Sequence[Authenticator], anonymous: bool) -> None:
        self.authenticators = list(authenticators)
        self.anonymous = anonymous

    async def authenticate(self, request: web.Request) -> UserInfo | None:
        """The user; None means no method accepted the request and anonymous access is off (401)."""
        for authenticator in self.authenticators:
            user = await authenticator.authenticate(request)
            if user is not None:
                if AUTHENTICATED not in user.groups:
                    user = replace(user, groups=user.groups + (AUTHENTICATED,))
                return user
        if bearer_token(request) is not None:
            # a credential was sent and nobody accepted it: 401, never anonymous
            raise AuthenticationFailed("invalid bearer token")
        if self.anonymous:
            return UserInfo(name=ANONYMOUS, groups=(UNAUTHENTICATED,))
        return None
