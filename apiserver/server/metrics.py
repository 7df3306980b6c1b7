"""Prometheus metrics under kube-apiserver's names, in a registry per server."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_LABELS = ("verb", "group", "version", "resource", "subresource", "scope", "component", "code")
# kube's buckets for value transformations: 5µs doubling 25 times (local ciphers take microseconds, KMS more)
_TRANSFORM_BUCKETS = tuple(5e-6 * 2 ** i for i in range(25))


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
        self.transformations = Counter("apiserver_storage_transformation_operations_total",
                                       "Total number of transformations.",
                                       ("transformation_type", "transformer_prefix", "status"), registry=self.registry)
        self.transformation_latency = Histogram("apiserver_storage_transformation_duration_seconds",
                                                "Latencies in seconds of value transformation operations.",
                                                ("transformation_type", "transformer_prefix"),
                                                registry=self.registry, buckets=_TRANSFORM_BUCKETS)
        self.encryption_reloads = Counter("apiserver_encryption_config_controller_automatic_reloads_total",
                                          "Total number of reload successes and failures of encryption configuration "
                                          "split by apiserver identity.", ("status", "apiserver_id_hash"),
                                          registry=self.registry)
        self.encryption_reload_time = Gauge("apiserver_encryption_config_controller_automatic_reload_last_timestamp_"
                                            "seconds", "Timestamp of the last successful or failed automatic reload "
                                            "of encryption configuration split by apiserver identity.",
                                            ("status", "apiserver_id_hash"), registry=self.registry)

    def record_transformation(self, kind: str, prefix: str, seconds: float, error: BaseException | None) -> None:
        # kube labels errors that did not come from a gRPC KMS call "unknown-non-grpc"
        self.transformations.labels(kind, prefix, "OK" if error is None else "unknown-non-grpc").inc()
        if error is None:
            self.transformation_latency.labels(kind, prefix).observe(seconds)

    def record_encryption_reload(self, success: bool, apiserver_id: str) -> None:
        status = "success" if success else "failure"
        id_hash = f"sha256:{hashlib.sha256(apiserver_id.encode()).hexdigest()}" if apiserver_id else ""
        self.encryption_reloads.labels(status, id_hash).inc()
        self.encryption_reload_time.labels(status, id_hash).set_to_current_time()
