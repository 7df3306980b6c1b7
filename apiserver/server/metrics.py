"""Prometheus metrics under kube-apiserver's names, in a registry per server."""
from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram

_LABELS = ("verb", "group", "version", "resource", "subresource", "scope", "component", "code")


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.requests = Counter("apiserver_request_total", "Counter of apiserver requests broken out for each verb, "
                                "dry run value, group, version, resource, scope, component, and HTTP response code.",
                                _LABELS, registry=self.registry)
        self.latency = Histogram("apiserver_request_duration_seconds", "Response latency distribution in seconds "
                                 "for each verb, group, version, resource, subresource, scope and component.",
                                 _LABELS[:-1], registry=self.registry,
                                 buckets=(0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5,
                                          6, 8, 10, 15, 20, 30, 45, 60))
