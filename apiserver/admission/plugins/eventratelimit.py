"""EventRateLimit: token buckets on the writes of core Events, configured by an eventratelimit.admission.k8s.io
Configuration in --admission-control-config-file. Each limit keeps one bucket (Server), or one per namespace,
per user or per event source and involved object in an LRU cache of `cacheSize` buckets; a write that finds a
bucket empty is refused with 429. The buckets are this replica's: with N replicas behind a load balancer the
cluster admits up to N times the configured rate, as N kube-apiservers would."""
from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, operations
from apiserver.api.meta import errors
from apiserver.api.meta.goformat import aggregate
from apiserver.api.validation.kinds import invalid, not_supported
from apiserver.options.errors import ConfigError

CONFIG_API_VERSION = "eventratelimit.admission.k8s.io/v1alpha1"
LIMIT_TYPES = ("Namespace", "Server", "SourceAndObject", "User")
DEFAULT_CACHE_SIZE = 4096


@dataclass(frozen=True)
class Limit:
    type: str
    qps: int
    burst: int
    cache_size: int = 0


@dataclass
class TokenBucket:
    """Starts full; refills at `qps` tokens a second up to `burst` (client-go's token bucket rate limiter)."""
    qps: float
    burst: int
    clock: Callable[[], float] = time.monotonic
    tokens: float = field(init=False)
    last: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = float(self.burst)
        self.last = self.clock()

    def try_accept(self) -> bool:
        now = self.clock()
        self.tokens = min(float(self.burst), self.tokens + (now - self.last) * self.qps)
        self.last = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def _event_key(attrs: Attributes) -> str:
    event = attrs.obj or {}
    source, involved = event.get("source") or {}, event.get("involvedObject") or {}
    return "".join(str(part or "") for part in (
        source.get("component"), source.get("host"), involved.get("kind"), involved.get("namespace"),
        involved.get("name"), involved.get("uid"), involved.get("apiVersion")))


KEYS: dict[str, Callable[[Attributes], str]] = {
    "Server": lambda attrs: "",
    "Namespace": lambda attrs: attrs.namespace,
    "User": lambda attrs: attrs.user.name,
    "SourceAndObject": _event_key,
}


class LimitEnforcer:
    def __init__(self, limit: Limit, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.clock = clock
        self.size = 1 if limit.type == "Server" else limit.cache_size or DEFAULT_CACHE_SIZE
        # least recently used first; an evicted bucket comes back full
        self.buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def _bucket(self, key: str) -> TokenBucket:
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = TokenBucket(self.limit.qps, self.limit.burst, self.clock)
            while len(self.buckets) > self.size:
                self.buckets.popitem(last=False)
        else:
            self.buckets.move_to_end(key)
        return bucket

    def accept(self, attrs: Attributes) -> str | None:
        """None when the write may go, else why not."""
        key = KEYS[self.limit.type](attrs)
        if self._bucket(key).try_accept():
            return None
        return f"limit reached on type {self.limit.type} for key {key}"


def _limits_value(limits: Any) -> str:
    # how kube's validation prints the list it found empty
    return "[]eventratelimit.Limit(nil)" if limits is None else "[]eventratelimit.Limit{}"


def parse_config(config: dict[str, Any] | None) -> list[Limit]:
    """The limits of the plugin's Configuration, held to kube's validation; a ConfigError with kube's words
    otherwise (the replica does not start, as kube-apiserver does not)."""
    config = config or {}
    problems: list[str] = []
    if config and (config.get("apiVersion"), config.get("kind")) != (CONFIG_API_VERSION, "Configuration"):
        raise ConfigError(f'couldn\'t init admission plugin "EventRateLimit": expected a {CONFIG_API_VERSION} '
                          f"Configuration, got apiVersion {config.get('apiVersion')!r} kind {config.get('kind')!r}")
    raw = config.get("limits")
    if not raw:
        problems.append(f"limits: Invalid value: {_limits_value(raw)}: must not be empty")
    limits: list[Limit] = []
    for i, entry in enumerate(raw or []):
        entry = entry if isinstance(entry, dict) else {}
        path = f"limits[{i}]"
        limit = Limit(str(entry.get("type") or ""), _int(entry.get("qps")), _int(entry.get("burst")),
                      _int(entry.get("cacheSize")))
        causes = []
        if limit.type not in LIMIT_TYPES:
            causes.append(not_supported(f"{path}.type", limit.type, LIMIT_TYPES))
        if limit.burst <= 0:
            causes.append(invalid(f"{path}.burst", limit.burst, "must be positive"))
        if limit.qps <= 0:
            causes.append(invalid(f"{path}.qps", limit.qps, "must be positive"))
        if limit.type != "Server" and limit.cache_size < 0:
            causes.append(invalid(f"{path}.cacheSize", limit.cache_size, "must not be negative"))
        problems += [f"{cause.field}: {cause.message}" for cause in causes]
        limits.append(limit)
    if problems:
        raise ConfigError(f'couldn\'t init admission plugin "EventRateLimit": {aggregate(problems)}')
    return limits


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return int(value)


class EventRateLimit(Plugin):
    name = "EventRateLimit"
    operations = operations(Operation.CREATE, Operation.UPDATE)

    def __init__(self, limits: list[Limit], clock: Callable[[], float] = time.monotonic) -> None:
        self.enforcers = [LimitEnforcer(limit, clock) for limit in limits]

    def handles(self, attrs: Attributes) -> bool:
        # core Events only: events.k8s.io Events are another kind, which kube's plugin lets through
        return (super().handles(attrs) and attrs.request_group == "" and attrs.resource == "events"
                and not attrs.subresource)

    async def validate(self, attrs: Attributes) -> None:
        # a dry run writes nothing, so it spends no tokens
        if attrs.dry_run:
            return
        refusals = [why for enforcer in self.enforcers if (why := enforcer.accept(attrs))]
        if refusals:
            raise errors.StatusError(429, "TooManyRequests", f"Too many requests: {aggregate(refusals)}")
