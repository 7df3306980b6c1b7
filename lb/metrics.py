"""Prometheus metrics of the balancer."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class LbMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.connections = Counter("lb_connections_total", "Client connections forwarded to a backend.",
                                   ("backend",), registry=self.registry)
        self.active = Gauge("lb_active_connections", "Open connections per backend.", ("backend",),
                            registry=self.registry)
        self.bytes = Counter("lb_bytes_total", "Bytes forwarded, in = client to backend.", ("backend", "direction"),
                             registry=self.registry)
        self.transitions = Counter("lb_health_transitions_total", "Backend state changes.", ("backend", "to"),
                                   registry=self.registry)
        self.up = Gauge("lb_backend_up", "1 when the backend takes new connections.", ("backend",),
                        registry=self.registry)
        self.connect_failures = Counter("lb_connect_failures_total", "Failed connects to a backend.", ("backend",),
                                        registry=self.registry)

    def transition(self, backend: str, up: bool) -> None:
        self.transitions.labels(backend, "up" if up else "down").inc()
        self.up.labels(backend).set(1 if up else 0)
