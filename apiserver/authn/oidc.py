"""OpenID Connect ID tokens (--oidc-*): JWTs from one issuer, verified with the keys its discovery document
points at. The keys are fetched on first need and again whenever a token names a key id not among them
(the issuer rotated its keys); an unreachable issuer fails those tokens (401) and never the server's start."""
from __future__ import annotations

import asyncio
import json
import ssl
from typing import Any

import aiohttp
import jwt

from apiserver.authn.token import TokenResult
from apiserver.authn.user import AuthenticationFailed
from apiserver.options.authentication import OIDCOptions
from apiserver.request.user import UserInfo

FETCH_TIMEOUT = 10.0


class OIDCError(AuthenticationFailed):
    pass


def _claim_strings(value: Any, claim: str) -> tuple[str, ...]:
    """A claim that may be one string or a list of strings, as kube reads the groups claim."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise OIDCError(f"oidc: claim {claim!r} must be a string or an array of strings")


class JWKSet:
    """The issuer's signing keys by key id, refreshed on demand; concurrent refreshes share one fetch."""

    def __init__(self, issuer: str, tls: ssl.SSLContext) -> None:
        self.issuer = issuer
        self.ssl = tls
        self.keys: dict[str, jwt.PyJWK] = {}
        self._lock = asyncio.Lock()
        self._generation = 0

    async def _get_json(self, session: aiohttp.ClientSession, url: str) -> dict[str, Any]:
        async with session.get(url, ssl=self.ssl) as response:
            if response.status != 200:
                raise OIDCError(f"oidc: fetching {url}: {response.status}")
            return json.loads(await response.read())

    async def _fetch(self) -> dict[str, jwt.PyJWK]:
        timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                discovery = await self._get_json(session, self.issuer.rstrip("/") + "/.well-known/openid-configuration")
                if discovery.get("issuer") != self.issuer:
                    raise OIDCError(f"oidc: issuer did not match the issuer returned by provider, expected "
                                    f"{self.issuer!r} got {discovery.get('issuer')!r}")
                document = await self._get_json(session, discovery["jwks_uri"])
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError) as exc:
            raise OIDCError(f"oidc: fetching the issuer's keys: {exc or type(exc).__name__}") from None
        keys = {}
        for entry in document.get("keys") or []:
            try:
                keys[entry.get("kid", "")] = jwt.PyJWK(entry)
            except jwt.PyJWKError:
                continue  # a key of a type or algorithm this server cannot use
        return keys

    async def key(self, kid: str) -> jwt.PyJWK:
        if kid in self.keys:
            return self.keys[kid]
        seen = self._generation
        async with self._lock:
            if self._generation == seen:
                self.keys = await self._fetch()
                self._generation += 1
        if kid in self.keys:
            return self.keys[kid]
        if not kid and len(self.keys) == 1:
            return next(iter(self.keys.values()))
        raise OIDCError("oidc: verify token: failed to verify signature: no key matches the token's key id")


class OIDCAuthenticator:
    def __init__(self, options: OIDCOptions, tls: ssl.SSLContext) -> None:
        """`tls` trusts the issuer's CA (--oidc-ca-file, read at start-up) or the system's."""
        self.options = options
        self.keys = JWKSet(options.issuer_url, tls)
        # kube's defaults: a claim other than email is prefixed with the issuer; "-" turns prefixing off
        prefix = options.username_prefix
        if not prefix and options.username_claim != "email":
            prefix = options.issuer_url + "#"
        self.username_prefix = "" if prefix == "-" else prefix

    async def authenticate_token(self, token: str, audiences: tuple[str, ...]) -> TokenResult | None:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return None  # not a JWT at all: some other method's token
        if unverified.get("iss") != self.options.issuer_url:
            return None
        if header.get("alg") not in self.options.signing_algs:
            raise OIDCError(f"oidc: verify token: unexpected signing algorithm {header.get('alg')!r}")
        key = await self.keys.key(header.get("kid", ""))
        try:
            claims = jwt.decode(token, key.key, algorithms=list(self.options.signing_algs),
                                audience=self.options.client_id, issuer=self.options.issuer_url,
                                options={"require": ["exp"]})
        except jwt.PyJWTError as exc:
            raise OIDCError(f"oidc: verify token: {exc}") from None
        return TokenResult(self._user(claims))

    def _user(self, claims: dict[str, Any]) -> UserInfo:
        o = self.options
        name = claims.get(o.username_claim)
        if not isinstance(name, str) or not name:
            raise OIDCError(f"oidc: parse username claims {o.username_claim!r}: claim not present")
        if o.username_claim == "email" and "email_verified" in claims and claims["email_verified"] is not True:
            raise OIDCError("oidc: email not verified")
        for claim, want in o.required_claims.items():
            if claims.get(claim) != want:
                raise OIDCError(f"oidc: required claim {claim} not present in ID token or its value is not {want!r}")
        groups = _claim_strings(claims.get(o.groups_claim), o.groups_claim) if o.groups_claim else ()
        return UserInfo(name=self.username_prefix + name, groups=tuple(o.groups_prefix + g for g in groups))
