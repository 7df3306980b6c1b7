"""Authenticators tried in order; the first that accepts the request decides. As in kube, a method that
fails does not stop the others, but when none accepts and one failed the request is refused (401) rather
than served as anonymous, which comes last if enabled."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from aiohttp import web

from apiserver.authn.token import TokenResult, TokenUnion
from apiserver.authn.user import AuthenticationFailed, Authenticator
from apiserver.request.user import ANONYMOUS, AUTHENTICATED, UNAUTHENTICATED, UserInfo

# the names of the request headers that carried credentials, to strip once the request is authenticated
HeaderOwner = Callable[[Iterable[str]], list[str]]


def _with_authenticated(user: UserInfo) -> UserInfo:
    if AUTHENTICATED in user.groups:
        return user
    return replace(user, groups=user.groups + (AUTHENTICATED,))


class UnionAuthenticator:
    def __init__(self, authenticators: Sequence[Authenticator], anonymous: bool, tokens: TokenUnion | None = None,
                 header_owners: Sequence[HeaderOwner] = ()) -> None:
        self.authenticators = list(authenticators)
        self.anonymous = anonymous
        self.tokens = tokens or TokenUnion(())
        self.header_owners = list(header_owners)

    async def authenticate(self, request: web.Request) -> UserInfo | None:
        """The user; None means no method accepted the request and anonymous access is off (401).
        AuthenticationFailed when a credential was offered and none verified."""
        failures: list[str] = []
        for authenticator in self.authenticators:
            try:
                user = await authenticator.authenticate(request)
            except AuthenticationFailed as exc:
                failures.append(str(exc))
                continue
            if user is not None:
                return _with_authenticated(user)
        if failures:
            raise AuthenticationFailed("; ".join(failures))
        if self.anonymous:
            return UserInfo(name=ANONYMOUS, groups=(UNAUTHENTICATED,))
        return None

    async def authenticate_token(self, token: str, audiences: tuple[str, ...]) -> TokenResult | None:
        """A bare token through the token methods, as TokenReview asks."""
        result = await self.tokens.authenticate_token(token, audiences)
        return TokenResult(_with_authenticated(result.user), result.audiences) if result else None

    def credential_headers(self, names: Iterable[str]) -> list[str]:
        """Which of these request headers carried credentials: dropped once the request is authenticated."""
        names = list(names)
        owned = [n for n in names if n.lower() == "authorization"]
        for owner in self.header_owners:
            owned += owner(names)
        return owned
