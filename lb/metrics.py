"""Prometheus metrics, read from the pool's own counters at scrape time.

A collector rather than prometheus_client Counters updated on the data path: the per-chunk cost of counting
bytes stays one integer addition, and gauges such as the open connections cannot drift from the pool's state.
"""
from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from lb.balancer import Pool


class PoolCollector(Collector):
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    def collect(self) -> Iterator[Metric]:
        connections = CounterMetricFamily("lb_connections", "Client connections forwarded to a backend.",
                                          labels=["backend"])
        active = GaugeMetricFamily("lb_active_connections", "Open client connections per backend.",
                                   labels=["backend"])
        transferred = CounterMetricFamily("lb_bytes", "Bytes forwarded; in is client to backend, out is back.",
                                          labels=["backend", "direction"])
        transitions = CounterMetricFamily("lb_health_transitions", "Health state changes of a backend.",
                                          labels=["backend", "to"])
        up = GaugeMetricFamily("lb_backend_up", "1 while the backend takes new connections.", labels=["backend"])
        failures = CounterMetricFamily("lb_connect_failures", "Failed connects to a backend.", labels=["backend"])
        # every backend ever configured, so that counters of a removed backend do not vanish mid-series
        for backend in self.pool.known.values():
            name = str(backend.address)
            connections.add_metric([name], backend.total)
            active.add_metric([name], backend.active)
            transferred.add_metric([name, "in"], backend.bytes_in)
            transferred.add_metric([name, "out"], backend.bytes_out)
            transitions.add_metric([name, "up"], backend.went_up)
            transitions.add_metric([name, "down"], backend.went_down)
            up.add_metric([name], 1 if backend.eligible else 0)
            failures.add_metric([name], backend.connect_failures)
        yield from (connections, active, transferred, transitions, up, failures)


def registry(pool: Pool) -> CollectorRegistry:
    result = CollectorRegistry(auto_describe=False)
    result.register(PoolCollector(pool))
    return result
