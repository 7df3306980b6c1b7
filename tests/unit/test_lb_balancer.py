"""The balancer's choice of backend, health transitions, drain and reloads, without sockets."""
from __future__ import annotations

import asyncio

from prometheus_client import generate_latest

from lb.backend import Backend
from lb.balancer import Pool, pick
from lb.config import Address
from lb.metrics import registry


class FakeConnection:
    def __init__(self) -> None:
        self.aborted = False

    def abort(self) -> None:
        self.aborted = True


def _address(port: int) -> Address:
    return Address("127.0.0.1", port)


def _pool(balance: str = "roundrobin", n: int = 3, rise: int = 2, fall: int = 2, drain: float = 30.0) -> Pool:
    pool = Pool([_address(i + 1) for i in range(n)], balance, rise, fall, drain)
    for backend in pool.backends:
        pool.record_check(backend, True)
    return pool


def _ports(backends) -> list[int]:
    return [b.address.port for b in backends]


def test_round_robin_takes_turns():
    pool = _pool()
    assert _ports(pool.choose(set()) for _ in range(6)) == [2, 3, 1, 2, 3, 1]


def test_round_robin_skips_down_and_excluded_backends():
    pool = _pool()
    pool.connect_failed(pool.backends[1], "refused")
    assert set(_ports(pool.choose(set()) for _ in range(4))) == {1, 3}
    first = pool.backends[0]
    assert all(pool.choose({first}) is pool.backends[2] for _ in range(3))
    assert pool.choose({first, pool.backends[2]}) is None


def test_least_connections_prefers_the_idle_backend():
    backends = [Backend(_address(i)) for i in range(3)]
    for backend, open_connections in zip(backends, (5, 0, 2), strict=True):
        backend.connections.update(FakeConnection() for _ in range(open_connections))
    assert all(pick(backends, "leastconn", turn) is backends[1] for turn in range(5))


def test_least_connections_shares_ties_in_turn():
    backends = [Backend(_address(i)) for i in range(3)]
    backends[0].connections.add(FakeConnection())
    assert {pick(backends, "leastconn", turn).address.port for turn in range(4)} == {1, 2}


async def test_leastconn_pool_follows_attach_and_detach():
    pool = _pool("leastconn")
    held = []
    for _ in range(3):
        backend = pool.choose(set())
        connection = FakeConnection()
        pool.attach(backend, connection)
        held.append((backend, connection))
    assert sorted(b.active for b in pool.backends) == [1, 1, 1]
    idle, connection = held[1]
    pool.detach(idle, connection)
    assert all(pool.choose(set()) is idle for _ in range(3))


def test_first_success_brings_a_backend_up_then_rise_and_fall_apply():
    pool = Pool([_address(1)], "roundrobin", rise=2, fall=2, drain_timeout=1.0)
    backend = pool.backends[0]
    assert backend.state == "down" and pool.choose(set()) is None, "a backend starts down"
    pool.record_check(backend, True)
    assert backend.state == "up", "its first success ever brings it up at once"
    pool.record_check(backend, False)
    assert backend.healthy, "one failure is not `fall`"
    pool.record_check(backend, True)
    pool.record_check(backend, False)
    assert backend.healthy, "a success in between resets the count"
    pool.record_check(backend, False)
    assert not backend.healthy
    pool.record_check(backend, True)
    assert not backend.healthy, "after a fall, `rise` successes are needed"
    pool.record_check(backend, True)
    assert backend.healthy
    assert (backend.checks_ok, backend.checks_failed, backend.went_up, backend.went_down) == (4, 3, 2, 1)


def test_a_refused_connect_takes_a_backend_down_at_once():
    pool = _pool(rise=2)
    backend = pool.backends[0]
    pool.connect_failed(backend, "refused")
    pool.connect_failed(backend, "refused")
    assert not backend.healthy and backend.connect_failures == 2 and backend.went_down == 1
    pool.record_check(backend, True)
    assert not backend.healthy, "coming back takes `rise` good checks"
    pool.record_check(backend, True)
    assert backend.healthy


async def test_drain_closes_open_connections_after_the_timeout():
    pool = _pool(fall=1, drain=0.05)
    backend = pool.backends[0]
    connection = FakeConnection()
    pool.attach(backend, connection)
    pool.record_check(backend, False)
    assert backend.state == "draining" and not connection.aborted
    await asyncio.sleep(0.1)
    assert connection.aborted


async def test_a_backend_back_up_stops_draining():
    pool = _pool(rise=1, fall=1, drain=0.05)
    backend = pool.backends[0]
    connection = FakeConnection()
    pool.attach(backend, connection)
    pool.record_check(backend, False)
    pool.record_check(backend, True)
    await asyncio.sleep(0.1)
    assert not connection.aborted and backend.state == "up"


async def test_a_connection_that_lands_on_a_down_backend_drains_too():
    pool = _pool(fall=1, drain=0.05)
    backend = pool.backends[0]
    pool.record_check(backend, False)
    late = FakeConnection()
    pool.attach(backend, late)  # its connect had begun while the backend was still up
    await asyncio.sleep(0.1)
    assert late.aborted


async def test_reload_keeps_state_adds_and_drains_removed():
    pool = _pool(drain=0.05)
    kept, dropped_busy, dropped_idle = pool.backends
    connection = FakeConnection()
    pool.attach(dropped_busy, connection)
    added, removed = pool.replace([_address(1), _address(9)], "leastconn")
    assert _ports(added) == [9] and _ports(removed) == [2, 3]
    assert pool.balance == "leastconn"
    assert pool.backends[0] is kept and kept.state == "up"
    assert [(b.address.port, b.state) for b in pool.backends] == [(1, "up"), (9, "down"), (2, "draining")]
    assert all(pool.choose(set()) is kept for _ in range(3)), "no new connections to a removed backend"
    await asyncio.sleep(0.1)
    assert connection.aborted
    pool.detach(dropped_busy, connection)
    assert _ports(pool.backends) == [1, 9], "a drained, removed backend leaves the pool"
    assert dropped_idle not in pool.backends


def test_a_removed_backend_listed_again_starts_afresh():
    pool = _pool(rise=2)
    pool.replace([_address(1)], "roundrobin")
    pool.replace([_address(1), _address(2)], "roundrobin")
    again = pool.backends[1]
    assert again.state == "down" and again.total == 0
    pool.record_check(again, True)
    assert again.state == "up", "like a new backend, its first good check brings it up"


async def test_a_draining_backend_listed_again_keeps_its_connections():
    pool = _pool()
    busy = pool.backends[1]
    connection = FakeConnection()
    pool.attach(busy, connection)
    pool.replace([_address(1)], "roundrobin")
    assert busy.state == "draining"
    pool.replace([_address(1), _address(2)], "roundrobin")
    assert busy.state == "up" and busy.connections == {connection} and busy.drain_timer is None


def test_metrics_come_from_the_pool():
    pool = _pool(n=2)
    backend = pool.backends[0]
    pool.attach(backend, FakeConnection())
    backend.bytes_in, backend.bytes_out = 10, 20
    pool.connect_failed(pool.backends[1], "refused")
    pool.replace([_address(1)], "roundrobin")
    text = generate_latest(registry(pool)).decode()
    for line in ('lb_connections_total{backend="127.0.0.1:1"} 1.0',
                 'lb_active_connections{backend="127.0.0.1:1"} 1.0',
                 'lb_bytes_total{backend="127.0.0.1:1",direction="in"} 10.0',
                 'lb_bytes_total{backend="127.0.0.1:1",direction="out"} 20.0',
                 'lb_health_transitions_total{backend="127.0.0.1:1",to="up"} 1.0',
                 'lb_backend_up{backend="127.0.0.1:1"} 1.0',
                 # removed by the reload, yet its counters stay
                 'lb_backend_up{backend="127.0.0.1:2"} 0.0',
                 'lb_health_transitions_total{backend="127.0.0.1:2",to="down"} 1.0',
                 'lb_connect_failures_total{backend="127.0.0.1:2"} 1.0'):
        assert line in text.splitlines(), line
