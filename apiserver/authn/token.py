"""Bearer-token authentication: token authenticators tried in order, behind one request authenticator.

A token authenticator answers for a token alone (TokenReview uses the same chain), so it never sees the
request. `audiences` are the ones the token must be meant for; empty means "this API server" as far as the
method can tell. Like kube, an audience-agnostic method (static tokens, OIDC) authenticates only when the
wanted audiences include the server's own (--api-audiences), and then answers with that intersection.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from apiserver.authn.user import AuthenticationFailed
from apiserver.request.user import UserInfo


@dataclass(frozen=True)
class TokenResult:
    user: UserInfo
    audiences: tuple[str, ...] = ()


class TokenAuthenticator(Protocol):
    async def authenticate_token(self, token: str, audiences: tuple[str, ...]) -> TokenResult | None:
        """The user, None when the token is not one this method knows, AuthenticationFailed when it is but
        does not verify (or the method cannot tell right now)."""
        ...


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class AudienceAgnostic:
    """Wraps a method that cannot check audiences itself, as kube's WrapAudienceAgnosticToken."""

    def __init__(self, delegate: TokenAuthenticator, api_audiences: tuple[str, ...]) -> None:
        self.delegate = delegate
        self.api_audiences = api_audiences

    async def authenticate_token(self, token: str, audiences: tuple[str, ...]) -> TokenResult | None:
        if not audiences:
            return await self.delegate.authenticate_token(token, audiences)
        shared = tuple(a for a in self.api_audiences if a in audiences)
        if not shared:
            return None
        result = await self.delegate.authenticate_token(token, audiences)
        return TokenResult(result.user, shared) if result else None


class TokenUnion:
    """The first method that accepts the token wins; the failures of the others only matter when none does."""

    def __init__(self, methods: Sequence[TokenAuthenticator]) -> None:
        self.methods = list(methods)

    async def authenticate_token(self, token: str, audiences: tuple[str, ...]) -> TokenResult | None:
        failures: list[str] = []
        for method in self.methods:
            try:
                result = await method.authenticate_token(token, audiences)
            except AuthenticationFailed as exc:
                failures.append(str(exc))
                continue
            if result is not None:
                return result
        if failures:
            raise AuthenticationFailed(", ".join(failures) if len(failures) == 1 else f"[{', '.join(failures)}]")
        return None


class BearerTokenAuthenticator:
    """The request side: a bearer token that no method accepts is a failed authentication, never anonymous."""

    def __init__(self, tokens: TokenUnion, api_audiences: tuple[str, ...]) -> None:
        self.tokens = tokens
        self.api_audiences = api_audiences

    async def authenticate(self, request: web.Request) -> UserInfo | None:
        token = bearer_token(request)
        if token is None:
            return None
        result = await self.tokens.authenticate_token(token, self.api_audiences)
        if result is None:
            raise AuthenticationFailed("invalid bearer token")
        return result.user
