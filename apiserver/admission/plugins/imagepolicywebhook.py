"""ImagePolicyWebhook: a pod's images go to an external policy service (an ImageReview, imagepolicy.k8s.io/v1alpha1)
before the pod is written. The service is named by a kubeconfig file; its answers are cached for a while, and when
it cannot be reached `defaultAllow` decides. Its configuration is the `imagePolicy` object of the plugin's entry in
--admission-control-config-file (kube has no versioned kind for it: other keys, apiVersion and kind included, are
ignored, as kube's decoder ignores them)."""
from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, forbidden, operations
from apiserver.api.meta.duration import format_go_duration_ns
from apiserver.api.meta.types import Obj
from apiserver.options.errors import ConfigError
from apiserver.webhook.client import (
    Backoff,
    WebhookCallError,
    WebhookClient,
    WebhookConfigError,
    load_webhook_kubeconfig,
)

log = logging.getLogger(__name__)

NAME = "ImagePolicyWebhook"
API_VERSION = "imagepolicy.k8s.io/v1alpha1"
# audit annotations are "<prefix>/<key>"; the webhook's own auditAnnotations get the same prefix
AUDIT_PREFIX = "imagepolicywebhook.image-policy.k8s.io"
FAILED_OPEN = "failed-open"
# the pod annotation kube still sets when it lets a pod through a failed webhook
POD_FAILED_OPEN_ANNOTATION = "alpha.image-policy.k8s.io/failed-open"
# annotations a pod passes to the webhook contain this
ANNOTATION_MARK = ".image-policy.k8s.io/"
EPHEMERAL = "ephemeralcontainers"
# kube's webhook client deadline (kubeconfigs cannot set one)
REQUEST_TIMEOUT = 30.0
CACHE_SIZE = 1024

_NS_PER_MS = 1_000_000
_NS_PER_S = 1_000_000_000
# kube's sentinels: 0 takes the default, -1 turns the delay or cache off
_USE_DEFAULT, _DISABLE = 0, -1


@dataclass(frozen=True)
class Bounds:
    name: str
    # the unit the configuration counts in
    scale_ns: int
    min_ns: int
    max_ns: int
    default_ns: int


RETRY_BACKOFF = Bounds("backoff", _NS_PER_MS, 1, 5 * 60 * _NS_PER_S, 500 * _NS_PER_MS)
ALLOW_TTL = Bounds("allow cache", _NS_PER_S, _NS_PER_S, 30 * 60 * _NS_PER_S, 5 * 60 * _NS_PER_S)
DENY_TTL = Bounds("deny cache", _NS_PER_S, _NS_PER_S, 30 * 60 * _NS_PER_S, 30 * _NS_PER_S)


@dataclass(frozen=True)
class ImagePolicyConfig:
    kubeconfig: Path
    allow_ttl: float
    deny_ttl: float
    retry_backoff: float
    default_allow: bool


class _DecodeError(Exception):
    """The configuration does not decode into kube's struct; worded as Go's encoding/json words it."""


_GO_TYPES = {"kubeConfigFile": "string", "allowTTL": "time.Duration", "denyTTL": "time.Duration",
             "retryBackoff": "time.Duration", "defaultAllow": "bool"}


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return f"number {value}"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _fields(section: dict[str, Any]) -> dict[str, Any]:
    """The known fields of `imagePolicy`, matched without regard to case as Go's decoder matches them."""
    known = {name.lower(): name for name in _GO_TYPES}
    found: dict[str, Any] = {}
    for key, value in section.items():
        name = known.get(str(key).lower())
        if name is None or value is None:
            continue
        go_type = _GO_TYPES[name]
        fits = (isinstance(value, str) if go_type == "string" else isinstance(value, bool) if go_type == "bool"
                else isinstance(value, int) and not isinstance(value, bool))
        if not fits:
            raise _DecodeError(f"json: cannot unmarshal {_json_kind(value)} into Go struct field "
                               f"imagePolicyWebhookConfig.imagePolicy.{name} of type {go_type}")
        found[name] = value
    return found


def _section(config: dict[str, Any]) -> dict[str, Any]:
    section = next((value for key, value in config.items() if str(key).lower() == "imagepolicy"), None)
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise _DecodeError(f"json: cannot unmarshal {_json_kind(section)} into Go struct field "
                           "AdmissionConfig.imagePolicy of type imagepolicy.imagePolicyWebhookConfig")
    return section


def _normalize(bounds: Bounds, value: int) -> int:
    """kube's normalizeConfigDuration, in nanoseconds."""
    if value == _DISABLE:
        return 0
    if value == _USE_DEFAULT:
        return bounds.default_ns
    scaled = value * bounds.scale_ns
    if scaled < bounds.min_ns or scaled > bounds.max_ns:
        raise _DecodeError(f"valid value is between {format_go_duration_ns(bounds.min_ns)} and "
                           f"{format_go_duration_ns(bounds.max_ns)}, got {format_go_duration_ns(scaled)}")
    return scaled


def parse_config(config: dict[str, Any] | None) -> ImagePolicyConfig:
    """The plugin's configuration with kube's defaults and bounds; a ConfigError in kube's words otherwise (the
    replica does not start, as kube-apiserver does not)."""
    try:
        if config is None:
            raise _DecodeError("no config specified")
        fields = _fields(_section(config))
        backoff = _normalize(RETRY_BACKOFF, fields.get("retryBackoff", 0))
        allow_ttl = _normalize(ALLOW_TTL, fields.get("allowTTL", 0))
        deny_ttl = _normalize(DENY_TTL, fields.get("denyTTL", 0))
        if not fields.get("kubeConfigFile"):
            # kube falls back to the default kubeconfig rules, which find nothing for a server
            raise _DecodeError("invalid configuration: no configuration has been provided")
    except _DecodeError as exc:
        raise ConfigError(f'couldn\'t init admission plugin "{NAME}": {exc}') from None
    return ImagePolicyConfig(Path(fields["kubeConfigFile"]), allow_ttl / _NS_PER_S, deny_ttl / _NS_PER_S,
                             backoff / _NS_PER_S, bool(fields.get("defaultAllow", False)))


class ResponseCache:
    """kube's LRUExpireCache: answers by review spec, each kept for its own TTL, the least recently used dropped
    past the size."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[bytes, tuple[float, Obj]] = OrderedDict()

    def get(self, key: bytes) -> Obj | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, status = entry
        if time.monotonic() >= expires:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return status

    def add(self, key: bytes, status: Obj, ttl: float) -> None:
        if ttl <= 0:
            return
        self._entries[key] = (time.monotonic() + ttl, status)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


def review_spec(attrs: Attributes) -> Obj:
    """The ImageReview's spec: every image of the containers then init containers (the ephemeral containers' on
    their subresource), the pod's image-policy annotations and the namespace; empty parts left out."""
    pod = attrs.obj or {}
    spec = pod.get("spec") or {}
    lists = ("ephemeralContainers",) if attrs.subresource == EPHEMERAL else ("containers", "initContainers")
    containers = [{"image": c["image"]} if c.get("image") else {}
                  for kind in lists for c in spec.get(kind) or [] if isinstance(c, dict)]
    annotations = {k: v for k, v in ((pod.get("metadata") or {}).get("annotations") or {}).items()
                   if ANNOTATION_MARK in k}
    review: Obj = {}
    if containers:
        review["containers"] = containers
    if annotations:
        review["annotations"] = annotations
    if attrs.namespace:
        review["namespace"] = attrs.namespace
    return review


def _status(answer: Any) -> Obj:
    """The status of the webhook's ImageReview, checked for the types kube decodes it into."""
    status = answer.get("status") if isinstance(answer, dict) else None
    if status is None:
        status = {}
    if not isinstance(status, dict):
        raise WebhookCallError("the webhook's ImageReview has a status that is not an object")
    allowed, reason = status.get("allowed", False), status.get("reason", "")
    audit = status.get("auditAnnotations") or {}
    if (not isinstance(allowed, bool) or not isinstance(reason, str) or not isinstance(audit, dict)
            or not all(isinstance(v, str) for v in audit.values())):
        raise WebhookCallError("the webhook's ImageReview status does not decode")
    return {"allowed": allowed, "reason": reason, "auditAnnotations": audit}


class ImagePolicyWebhook(Plugin):
    name = NAME
    operations = operations(Operation.CREATE, Operation.UPDATE)
    resources = frozenset({("", "pods", ""), ("", "pods", EPHEMERAL)})

    def __init__(self, config: ImagePolicyConfig) -> None:
        try:
            target = load_webhook_kubeconfig(config.kubeconfig)
        except WebhookConfigError as exc:
            raise ConfigError(f'couldn\'t init admission plugin "{NAME}": {exc}') from None
        self.config = config
        self.client = WebhookClient(target, REQUEST_TIMEOUT)
        self.backoff = Backoff(initial=config.retry_backoff)
        self.cache = ResponseCache()

    async def validate(self, attrs: Attributes) -> None:
        spec = review_spec(attrs)
        # Go's json.Marshal of the spec, map keys sorted, is kube's cache key
        key = orjson.dumps(spec, option=orjson.OPT_SORT_KEYS)
        status = self.cache.get(key)
        if status is None:
            review = {"apiVersion": API_VERSION, "kind": "ImageReview", "metadata": {"creationTimestamp": None},
                      "spec": spec, "status": {"allowed": False}}
            try:
                status = _status(await self.client.post_json_with_backoff(review, self.backoff))
            except WebhookCallError as exc:
                self._failed(attrs, exc)
                return
            self.cache.add(key, status, self.config.allow_ttl if status["allowed"] else self.config.deny_ttl)
        for k, v in status["auditAnnotations"].items():
            attrs.annotate(AUDIT_PREFIX, k, v)
        if not status["allowed"]:
            why = (f"image policy webhook backend denied one or more images: {status['reason']}" if status["reason"]
                   else "one or more images rejected by webhook backend")
            raise forbidden(attrs, why)

    def _failed(self, attrs: Attributes, exc: WebhookCallError) -> None:
        """No answer: `defaultAllow` lets the pod through, marked, or refuses it with the failure."""
        log.info("image policy webhook backend failed: %s", exc)
        if not self.config.default_allow:
            raise forbidden(attrs, str(exc))
        attrs.annotate(AUDIT_PREFIX, FAILED_OPEN, "true")
        # kube still marks the pod itself too; it is stored with the mark
        meta = (attrs.obj or {}).setdefault("metadata", {})
        annotations = meta.get("annotations")
        if not isinstance(annotations, dict):
            annotations = meta["annotations"] = {}
        annotations[POD_FAILED_OPEN_ANNOTATION] = "true"

    async def stop(self) -> None:
        await self.client.close()
