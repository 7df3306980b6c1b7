"""The Webhook mode: each request's attributes go to a remote service as a SubjectAccessReview, whose answer
allows, denies (which ends the chain) or has no opinion. Answers are cached per attribute set, allowed ones for
--authorization-webhook-cache-authorized-ttl and the others for the unauthorized TTL. A webhook that fails or
times out has no opinion (kube's failure policy for these flags) and its failure is never cached.
"""
from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import orjson

from apiserver.authz.authorizer import Attributes, AuthorizerError, Decision
from apiserver.webhook.client import WebhookCallError, WebhookClient, WebhookTarget

log = logging.getLogger(__name__)

GROUP = "authorization.k8s.io"
# kube's size of the answer cache and its deadline for one call
CACHE_SIZE = 8192
REQUEST_TIMEOUT = 30.0


@dataclass(frozen=True)
class WebhookSettings:
    version: str = "v1beta1"
    authorized_ttl: float = 300.0
    unauthorized_ttl: float = 30.0
    timeout: float = REQUEST_TIMEOUT


def review_spec(attributes: Attributes, version: str) -> dict[str, Any]:
    """The SubjectAccessReview spec, with kube's omitempty fields left out."""
    info, user = attributes.info, attributes.user
    spec: dict[str, Any] = {}
    if info.is_resource_request:
        resource = {"namespace": info.namespace, "verb": info.verb, "group": info.api_group,
                    "version": info.api_version, "resource": info.resource, "subresource": info.subresource,
                    "name": info.name}
        spec["resourceAttributes"] = {key: value for key, value in resource.items() if value}
    else:
        spec["nonResourceAttributes"] = {"path": info.path, "verb": info.verb}
    if user.name:
        spec["user"] = user.name
    if user.groups:
        # v1beta1 spells the list "group"
        spec["groups" if version == "v1" else "group"] = list(user.groups)
    if user.extra:
        spec["extra"] = {key: list(values) for key, values in user.extra.items()}
    if user.uid:
        spec["uid"] = user.uid
    return spec


class AnswerCache:
    """Expiring answers, least recently used dropped first once full."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[bytes, tuple[float, dict[str, Any]]] = OrderedDict()

    def get(self, key: bytes) -> dict[str, Any] | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, status = entry
        if expires <= time.monotonic():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return status

    def put(self, key: bytes, status: dict[str, Any], ttl: float) -> None:
        self._entries[key] = (time.monotonic() + ttl, status)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


class WebhookAuthorizer:
    def __init__(self, target: WebhookTarget, settings: WebhookSettings) -> None:
        self.settings = settings
        self.client = WebhookClient(target, settings.timeout)
        self.cache = AnswerCache()

    async def start(self) -> None:
        """Nothing to follow: the connection pool opens on the first call."""

    async def stop(self) -> None:
        await self.client.close()

    async def _review(self, spec: dict[str, Any]) -> dict[str, Any]:
        review = {"apiVersion": f"{GROUP}/{self.settings.version}", "kind": "SubjectAccessReview",
                  "metadata": {"creationTimestamp": None}, "spec": spec, "status": {"allowed": False}}
        try:
            answer = await self.client.post_json_with_backoff(review)
        except WebhookCallError as exc:
            log.error("Failed to make webhook authorizer request: %s", exc)
            raise AuthorizerError(str(exc)) from None
        status = answer.get("status") if isinstance(answer, dict) else None
        if not isinstance(status, dict):
            log.error("Failed to make webhook authorizer request: the answer has no status")
            raise AuthorizerError("the authorization webhook answered without a SubjectAccessReview status")
        return status

    async def authorize(self, attributes: Attributes) -> tuple[Decision, str]:
        spec = review_spec(attributes, self.settings.version)
        key = orjson.dumps(spec, option=orjson.OPT_SORT_KEYS)
        status = self.cache.get(key)
        if status is None:
            status = await self._review(spec)
            allowed = status.get("allowed") is True
            self.cache.put(key, status, self.settings.authorized_ttl if allowed else self.settings.unauthorized_ttl)
        reason = str(status.get("reason") or "")
        if status.get("denied") is True:
            return Decision.DENY, reason
        if status.get("allowed") is True:
            return Decision.ALLOW, reason
        return Decision.NO_OPINION, reason
