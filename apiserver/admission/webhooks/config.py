"""The webhooks of the stored Mutating/ValidatingWebhookConfigurations, parsed once per change of a configuration
and followed through the replica's own watch cache, so every replica sees a new configuration within moments."""
from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from dataclasses import dataclass

from apiserver.api.meta.labels import LabelSelector, SelectorParseError, selector_from_label_selector_object
from apiserver.api.meta.types import Obj
from apiserver.informers.informer import Informer
from apiserver.registry.store import RegistryStore

log = logging.getLogger(__name__)

# how long a request waits for the first listing of the configurations before it is refused, as kube's plugins wait
# for their informers
READY_WAIT = 10.0


@dataclass(frozen=True)
class Rule:
    operations: tuple[str, ...]
    groups: tuple[str, ...]
    versions: tuple[str, ...]
    resources: tuple[str, ...]
    scope: str


@dataclass(frozen=True)
class ServiceRef:
    namespace: str
    name: str
    path: str
    port: int


@dataclass(frozen=True)
class Selector:
    """A parsed label selector, or why it does not parse (kube answers such a webhook's requests with a 500)."""
    selector: LabelSelector | None
    error: str = ""


@dataclass(frozen=True)
class Webhook:
    # kube's accessor uid: "<configuration>/<webhook>/<index>", what reinvocation remembers
    uid: str
    configuration: str
    name: str
    rules: tuple[Rule, ...]
    failure_policy: str
    match_policy: str
    namespace_selector: Selector
    object_selector: Selector
    side_effects: str | None
    timeout: int
    review_versions: tuple[str, ...]
    reinvocation: str
    url: str | None
    service: ServiceRef | None
    ca_bundle: bytes

    @property
    def fails_open(self) -> bool:
        return self.failure_policy == "Ignore"


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _selector(value: object) -> Selector:
    try:
        return Selector(selector_from_label_selector_object(value if isinstance(value, dict) else {}))
    except SelectorParseError as exc:
        return Selector(None, str(exc))


def _ca_bundle(value: object) -> bytes:
    try:
        return base64.b64decode(value) if isinstance(value, str) and value else b""
    except (binascii.Error, ValueError):
        return b""


def _rule(rule: Obj) -> Rule:
    return Rule(_strings(rule.get("operations")), _strings(rule.get("apiGroups")), _strings(rule.get("apiVersions")),
                _strings(rule.get("resources")), str(rule.get("scope") or "*"))


def parse(configuration: Obj) -> list[Webhook]:
    """The webhooks of one configuration, in order (stored objects are defaulted and validated)."""
    name = configuration["metadata"]["name"]
    hooks = []
    for index, hook in enumerate(configuration.get("webhooks") or []):
        client = hook.get("clientConfig") or {}
        service = client.get("service")
        ref = (ServiceRef(service.get("namespace", ""), service.get("name", ""), service.get("path") or "",
                          int(service.get("port") or 443)) if isinstance(service, dict) else None)
        hooks.append(Webhook(
            uid=f"{name}/{hook.get('name', '')}/{index}", configuration=name, name=str(hook.get("name", "")),
            rules=tuple(_rule(r) for r in hook.get("rules") or [] if isinstance(r, dict)),
            failure_policy=hook.get("failurePolicy") or "Fail", match_policy=hook.get("matchPolicy") or "Equivalent",
            namespace_selector=_selector(hook.get("namespaceSelector")),
            object_selector=_selector(hook.get("objectSelector")), side_effects=hook.get("sideEffects"),
            timeout=int(hook.get("timeoutSeconds") or 10),
            review_versions=_strings(hook.get("admissionReviewVersions")),
            reinvocation=hook.get("reinvocationPolicy") or "Never", url=client.get("url"), service=ref,
            ca_bundle=_ca_bundle(client.get("caBundle"))))
    return hooks


class ConfigurationSource:
    """The webhooks of one kind of configuration, by configuration name order as kube sorts them. Reading them is a
    dictionary lookup: a request pays nothing when there are none."""

    def __init__(self, store: RegistryStore) -> None:
        self._parsed: dict[str, list[Webhook]] = {}
        self._webhooks: list[Webhook] = []
        self._informer = Informer(store, self._changed)
        self._task: asyncio.Task[None] | None = None

    def _changed(self, kind: str, obj: Obj) -> None:
        name = obj["metadata"]["name"]
        if kind == "DELETED":
            self._parsed.pop(name, None)
        else:
            try:
                self._parsed[name] = parse(obj)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                log.warning("webhook configuration %s cannot be used: %s", name, exc)
                self._parsed.pop(name, None)
        self._webhooks = [hook for key in sorted(self._parsed) for hook in self._parsed[key]]

    def synced(self) -> bool:
        return self._informer.synced.is_set()

    async def ready(self) -> bool:
        if self._informer.synced.is_set():
            return True
        try:
            async with asyncio.timeout(READY_WAIT):
                await self._informer.synced.wait()
        except TimeoutError:
            return False
        return True

    def webhooks(self) -> list[Webhook]:
        return self._webhooks

    async def start(self) -> None:
        self._task = asyncio.create_task(self._informer.run(), name=f"informer {self._informer.store.info.plural}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
