"""Prometheus metrics under kube-apiserver's names, in a registry per server."""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_LABELS = ("verb", "group", "version", "resource", "subresource", "scope", "component", "code")
# kube's buckets for value transformations: 5µs doubling 25 times (local ciphers take microseconds, KMS more)
_TRANSFORM_BUCKETS = tuple(5e-6 * 2 ** i for i in range(25))


@functools.lru_cache(maxsize=256)
def _id_hash(value: str) -> str:
    """kube's `sha256:<hex>` label for key IDs and replica identities (hashed once: every KMS read labels one)."""
    return f"sha256:{hashlib.sha256(value.encode()).hexdigest()}" if value else ""


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    # labels kube's KMS metrics with the replica's identity (apiserver-<id>)
    apiserver_id: str = ""

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
        self._kms_metrics()
        self._admission_metrics()

    def _kms_metrics(self) -> None:
        envelope = "apiserver_envelope_encryption_"
        used = ("transformation_type", "provider_name", "key_id_hash", "apiserver_id_hash")
        self.kms_latency = Histogram(envelope + "kms_operations_latency_seconds",
                                     "KMS operation duration with gRPC error code status total.",
                                     ("provider_name", "method_name", "grpc_status_code"), registry=self.registry,
                                     buckets=tuple(0.0001 * 2 ** i for i in range(20)))
        self.key_id_total = Counter(envelope + "key_id_hash_total", "Number of times a keyID is used split by "
                                    "transformation type, provider, and apiserver identity.", used,
                                    registry=self.registry)
        self.key_id_time = Gauge(envelope + "key_id_hash_last_timestamp_seconds", "The last time in seconds when a "
                                 "keyID was used.", used, registry=self.registry)
        self.status_key_id_time = Gauge(envelope + "key_id_hash_status_last_timestamp_seconds", "The last time in "
                                        "seconds when a keyID was returned by the Status RPC call.",
                                        ("provider_name", "key_id_hash", "apiserver_id_hash"), registry=self.registry)
        self.invalid_key_ids = Counter(envelope + "invalid_key_id_from_status_total", "Number of times an invalid "
                                       "keyID is returned by the Status RPC call split by error.",
                                       ("provider_name", "error"), registry=self.registry)
        self.dek_cache_misses = Counter("apiserver_storage_envelope_transformation_cache_misses_total",
                                        "Total number of cache misses while accessing key decryption key(KEK).",
                                        registry=self.registry)

    def _admission_metrics(self) -> None:
        prefix = "apiserver_admission_"
        kinds = ("operation", "rejected", "type")
        buckets = (0.005, 0.025, 0.1, 0.5, 1.0, 2.5)
        self.admission_step = Histogram(prefix + "step_admission_duration_seconds", "Admission sub-step latency "
                                        "histogram in seconds, broken out for each operation and API resource and "
                                        "step type (validate or admit).", kinds, registry=self.registry,
                                        buckets=buckets)
        self.admission_controller = Histogram(prefix + "controller_admission_duration_seconds", "Admission "
                                              "controller latency histogram in seconds, identified by name and "
                                              "broken out for each operation and API resource and type (validate "
                                              "or admit).", ("name",) + kinds, registry=self.registry,
                                              buckets=buckets)
        self.admission_webhook = Histogram(prefix + "webhook_admission_duration_seconds", "Admission webhook "
                                           "latency histogram in seconds, identified by name and broken out for "
                                           "each operation and API resource and type (validate or admit).",
                                           ("name",) + kinds, registry=self.registry,
                                           buckets=buckets + (10.0, 25.0))
        self.admission_webhook_requests = Counter(prefix + "webhook_request_total", "Admission webhook request "
                                                  "total, identified by name and broken out for each admission type "
                                                  "(validating or mutating) and operation. Additional labels "
                                                  "specify whether the request was rejected or not and an HTTP "
                                                  "status code. Codes greater than 600 are truncated to 600, to "
                                                  "keep the metrics cardinality bounded.",
                                                  ("name", "type", "operation", "code", "rejected"),
                                                  registry=self.registry)
        self.admission_webhook_rejections = Counter(prefix + "webhook_rejection_count", "Admission webhook "
                                                    "rejection count, identified by name and broken out for each "
                                                    "admission type (validating or admit) and operation. Additional "
                                                    "labels specify an error type (calling_webhook_error or "
                                                    "apiserver_internal_error if an error occurred; no_error "
                                                    "otherwise) and optionally a non-zero rejection code if the "
                                                    "webhook rejects the request with an HTTP status code (honored "
                                                    "by the apiserver when the code is greater or equal to 400). "
                                                    "Codes greater than 600 are truncated to 600, to keep the "
                                                    "metrics cardinality bounded.",
                                                    ("name", "type", "operation", "error_type", "rejection_code"),
                                                    registry=self.registry)
        self.admission_webhook_fail_open = Counter(prefix + "webhook_fail_open_count", "Admission webhook fail open "
                                                   "count, identified by name and broken out for each admission "
                                                   "type (validating or mutating).", ("name", "type"),
                                                   registry=self.registry)

    def record_transformation(self, kind: str, prefix: str, seconds: float, error: BaseException | None) -> None:
        # kube labels errors that did not come from a gRPC KMS call "unknown-non-grpc"
        self.transformations.labels(kind, prefix, "OK" if error is None else "unknown-non-grpc").inc()
        if error is None:
            self.transformation_latency.labels(kind, prefix).observe(seconds)

    def record_encryption_reload(self, success: bool, apiserver_id: str) -> None:
        status = "success" if success else "failure"
        id_hash = _id_hash(apiserver_id)
        self.encryption_reloads.labels(status, id_hash).inc()
        self.encryption_reload_time.labels(status, id_hash).set_to_current_time()

    # --- KMS v2 (the KMSRecorder of apiserver/storage/kmsv2/settings.py) ---

    def kms_operation(self, provider: str, method: str, code: str, seconds: float) -> None:
        self.kms_latency.labels(provider, method, code).observe(seconds)

    def key_id_used(self, transformation: str, provider: str, key_id: str) -> None:
        labels = (transformation, provider, _id_hash(key_id), _id_hash(self.apiserver_id))
        self.key_id_total.labels(*labels).inc()
        self.key_id_time.labels(*labels).set_to_current_time()

    def status_key_id(self, provider: str, key_id: str) -> None:
        self.status_key_id_time.labels(provider, _id_hash(key_id), _id_hash(self.apiserver_id)).set_to_current_time()

    def invalid_status_key_id(self, provider: str, error: str) -> None:
        self.invalid_key_ids.labels(provider, error).inc()

    def dek_cache_miss(self) -> None:
        self.dek_cache_misses.inc()
