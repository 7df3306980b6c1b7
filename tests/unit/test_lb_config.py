"""The balancer's configuration and its choice of backend."""
from __future__ import annotations

import pytest

from lb.backends import Pool
from lb.config import Address, ConfigError, parse_config
from lb.metrics import LbMetrics


def test_flags_and_defaults():
    config = parse_config(["--listen=127.0.0.1:7000", "--backend=127.0.0.1:1", "--backends=127.0.0.1:2,h:3",
                           "--health-interval=500ms", "--drain-timeout=1m"])
    assert config.listen == Address("127.0.0.1", 7000)
    assert config.backends == (Address("127.0.0.1", 1), Address("127.0.0.1", 2), Address("h", 3))
    assert config.health_interval == 0.5 and config.drain_timeout == 60.0
    assert config.balance == "roundrobin" and config.rise == 2 and config.fall == 2


def test_yaml_file_and_flags_win(tmp_path):
    path = tmp_path / "lb.yaml"
    path.write_text("listen: 127.0.0.1:7001\nbackends: [127.0.0.1:5, 127.0.0.1:6]\nbalance: leastconn\nrise: 3\n")
    config = parse_config([f"--config={path}", "--rise=1"])
    assert config.listen.port == 7001 and len(config.backends) == 2
    assert config.balance == "leastconn" and config.rise == 1


@pytest.mark.parametrize("argv, message", [
    (["--listen=nope"], "invalid address"),
    (["--balance=random"], "--balance"),
    (["--health-interval=soon"], "invalid duration"),
    (["--rise=0"], "at least 1"),
    (["--bogus"], "unrecognized arguments"),
])
def test_bad_flags_are_config_errors(argv, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(argv)


def test_unknown_file_setting(tmp_path):
    path = tmp_path / "lb.yaml"
    path.write_text("listen: 127.0.0.1:1\ncolour: blue\n")
    with pytest.raises(ConfigError, match="colour"):
        parse_config([f"--config={path}"])


def _pool(balance: str, n: int = 3, rise: int = 2, fall: int = 2) -> Pool:
    pool = Pool([Address("127.0.0.1", i + 1) for i in range(n)], balance, rise, fall, 1.0, LbMetrics())
    return pool


def test_first_success_brings_a_backend_up_then_rise_and_fall_apply():
    pool = _pool("roundrobin", n=1)
    backend = pool.backends[0]
    assert pool.choose(set()) is None
    pool.record_check(backend, True)
    assert backend.up
    pool.record_check(backend, False)
    assert backend.up, "one failure is not `fall`"
    pool.record_check(backend, False)
    assert not backend.up
    pool.record_check(backend, True)
    assert not backend.up, "after a fall, `rise` successes are needed"
    pool.record_check(backend, True)
    assert backend.up


def test_round_robin_and_exclusion():
    pool = _pool("roundrobin")
    for b in pool.backends:
        pool.record_check(b, True)
    picks = [pool.choose(set()).address.port for _ in range(6)]
    assert sorted(picks) == [1, 1, 2, 2, 3, 3]
    first = pool.backends[0]
    assert all(pool.choose({first}) is not first for _ in range(5))
    pool.set_up(pool.backends[1], False)
    assert {pool.choose(set()).address.port for _ in range(4)} == {1, 3}


def test_least_connections_prefers_the_idle_backend():
    pool = _pool("leastconn")
    for b in pool.backends:
        pool.record_check(b, True)
    pool.backends[0].active = 5
    pool.backends[1].active = 0
    pool.backends[2].active = 2
    assert pool.choose(set()) is pool.backends[1]


def test_reload_keeps_state_and_drops_removed():
    pool = _pool("roundrobin")
    for b in pool.backends:
        pool.record_check(b, True)
    kept = pool.backends[0]
    pool.replace([Address("127.0.0.1", 1), Address("127.0.0.1", 9)], "leastconn")
    assert pool.backends[0] is kept and kept.up
    assert [b.address.port for b in pool.backends] == [1, 9]
    assert pool.balance == "leastconn"
