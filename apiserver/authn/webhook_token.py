"""Webhook token authentication (--authentication-token-webhook-*): the token goes to a remote service as a
TokenReview; its answers, yes and no alike, are kept for --authentication-token-webhook-cache-ttl. A webhook
that cannot be asked (down, timing out, answering garbage) fails the token: 401, never anonymous, never cached."""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from apiserver.authn.token import TokenResult
from apiserver.authn.user import AuthenticationFailed
from apiserver.options.authentication import TokenWebhookOptions
from apiserver.request.user import UserInfo
from apiserver.webhook.client import (
    WebhookCallError,
    WebhookClient,
    WebhookTarget,
)

# kube's webhook deadline per call; transient failures are retried by the client's backoff
CALL_TIMEOUT = 30.0


@dataclass(frozen=True)
class _Cached:
    expires: float
    result: TokenResult | None


def _user(status_user: dict[str, Any]) -> UserInfo:
    extra = {k: tuple(v or ()) for k, v in (status_user.get("extra") or {}).items()}
    return UserInfo(name=status_user.get("username") or "", uid=status_user.get("uid") or "",
                    groups=tuple(status_user.get("groups") or ()), extra=extra)


class WebhookTokenAuthenticator:
    def __init__(self, options: TokenWebhookOptions, target: WebhookTarget, api_audiences: tuple[str, ...],
                 call_timeout: float = CALL_TIMEOUT) -> None:
        """`target` is the webhook of options.config_file, read at start-up."""
        self.client = WebhookClient(target, call_timeout)
        self.api_version = f"authentication.k8s.io/{options.version}"
        self.ttl = options.cache_ttl
        self.api_audiences = api_audiences
        self.cache: dict[str, _Cached] = {}

    async def authenticate_token(self, token: str, audiences: tuple[str, ...]) -> TokenResult | None:
        key = hashlib.sha256("\x00".join((token, *audiences)).encode()).hexdigest()
        now = time.monotonic()
        cached = self.cache.get(key)
        if cached and cached.expires > now:
            return cached.result
        result = await self._review(token, audiences)
        if self.ttl > 0:
            self._evict(now)
            self.cache[key] = _Cached(now + self.ttl, result)
        return result

    def _evict(self, now: float) -> None:
        for stale in [k for k, entry in self.cache.items() if entry.expires <= now]:
            del self.cache[stale]

    async def _review(self, token: str, audiences: tuple[str, ...]) -> TokenResult | None:
        wanted = audiences or self.api_audiences
        spec: dict[str, Any] = {"token": token}
        if wanted:
            spec["audiences"] = list(wanted)
        review = {"apiVersion": self.api_version, "kind": "TokenReview", "metadata": {"creationTimestamp": None},
                  "spec": spec, "status": {"user": {}}}
        answer = await self._post(review)
        status = answer.get("status") or {}
        if not status.get("authenticated"):
            if status.get("error"):
                # a refusal with a reason is an error in kube's terms: reported, and asked again next time
                raise AuthenticationFailed(f"webhook: {status['error']}")
            return None
        granted = tuple(status.get("audiences") or self.api_audiences)
        shared = tuple(a for a in wanted if a in granted) if wanted else ()
        if wanted and not shared:
            return None
        return TokenResult(_user(status.get("user") or {}), shared)

    async def _post(self, review: dict[str, Any]) -> dict[str, Any]:
        try:
            return await self.client.post_json_with_backoff(review)
        except WebhookCallError as exc:
            raise AuthenticationFailed(f"webhook: {exc}") from None

    async def close(self) -> None:
        await self.client.close()

