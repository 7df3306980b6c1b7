"""The balancer's settings: flags, the YAML file, defaults, and one-line errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from lb.config import Address, ConfigError, parse_config


def test_flags_and_defaults():
    config = parse_config(["--listen=127.0.0.1:7000", "--backend=127.0.0.1:1", "--backends=127.0.0.1:2,h:3",
                           "--health-interval=500ms", "--drain-timeout=1m"])
    assert config.listen == Address("127.0.0.1", 7000)
    assert config.backends == (Address("127.0.0.1", 1), Address("127.0.0.1", 2), Address("h", 3))
    assert config.health_interval == 0.5 and config.drain_timeout == 60.0
    assert (config.balance, config.rise, config.fall) == ("roundrobin", 2, 2)
    assert (config.health_path, config.health_timeout, config.connect_timeout) == ("/readyz", 1.0, 1.0)
    assert config.admin is None and not config.health_insecure and config.backends_from_flags


def test_defaults_listen_on_6443_and_space_separated_values_work():
    config = parse_config(["--backend", "127.0.0.1:1", "--admin", "127.0.0.1:9", "--health-insecure"])
    assert config.listen == Address("127.0.0.1", 6443)
    assert config.admin == Address("127.0.0.1", 9) and config.health_insecure


def test_ipv6_addresses():
    config = parse_config(["--listen=[::1]:6443", "--backend=[::1]:7000"])
    assert config.listen == Address("::1", 6443) and str(config.backends[0]) == "[::1]:7000"


def test_duplicate_backends_are_listed_once():
    assert len(parse_config(["--backends=a:1,a:1", "--backend=a:1"]).backends) == 1


def test_yaml_file_and_flags_win(tmp_path: Path):
    path = tmp_path / "lb.yaml"
    path.write_text("listen: 127.0.0.1:7001\nbackends: [127.0.0.1:5, 127.0.0.1:6]\nbalance: leastconn\n"
                    "rise: 3\nhealth-interval: 2s\nhealth_timeout: 300ms\nhealth-insecure: true\n")
    config = parse_config([f"--config={path}", "--rise=1", "--listen=127.0.0.1:7002"])
    assert config.listen.port == 7002 and config.rise == 1
    assert config.backends == (Address("127.0.0.1", 5), Address("127.0.0.1", 6))
    assert config.balance == "leastconn" and config.health_interval == 2.0 and config.health_timeout == 0.3
    assert config.health_insecure and config.config_file == path and not config.backends_from_flags


def test_backend_flags_replace_the_files_list(tmp_path: Path):
    path = tmp_path / "lb.yaml"
    path.write_text("backends: 127.0.0.1:5,127.0.0.1:6\n")
    assert len(parse_config([f"--config={path}"]).backends) == 2
    config = parse_config([f"--config={path}", "--backend=127.0.0.1:9"])
    assert config.backends == (Address("127.0.0.1", 9),) and config.backends_from_flags


def test_tls_files_must_exist_and_pair(tmp_path: Path):
    cert = tmp_path / "c.crt"
    cert.write_text("x")
    with pytest.raises(ConfigError, match="--health-ca-file: no such file"):
        parse_config(["--backend=a:1", f"--health-ca-file={tmp_path / 'missing'}"])
    with pytest.raises(ConfigError, match="go together"):
        parse_config(["--backend=a:1", f"--health-cert-file={cert}"])


@pytest.mark.parametrize("argv, message", [
    (["--listen=nope"], "--listen: invalid address 'nope'"),
    (["--backend=a:99999"], "--backend: invalid address"),
    (["--balance=random"], "--balance: 'random' is not one of roundrobin, leastconn"),
    (["--health-interval=soon"], '--health-interval: time: invalid duration "soon"'),
    (["--health-timeout=0s"], "--health-timeout: must be positive"),
    (["--drain-timeout=-1s"], "--drain-timeout: must be at least 0"),
    (["--rise=0"], "--rise: expected a whole number of at least 1"),
    (["--fall=two"], "--fall: expected a whole number"),
    (["--health-path=readyz"], "--health-path: must start with '/'"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["--rise"], "argument --rise: expected one argument"),
])
def test_bad_flags_are_one_line_config_errors(argv, message):
    with pytest.raises(ConfigError, match="^" + message) as info:
        parse_config(["--backend=127.0.0.1:1", *argv])
    assert "\n" not in str(info.value)


def test_backends_are_required():
    with pytest.raises(ConfigError, match="no backends"):
        parse_config(["--listen=127.0.0.1:1"])


@pytest.mark.parametrize("text, message", [
    ("listen: 127.0.0.1:1\ncolour: blue\n", "unknown settings colour"),
    ("- just\n- a list\n", "expected a mapping"),
    ("listen: [unclosed\n", "--config"),
    ("backends: [a:1]\nhealth-insecure: yes please\n", "--health-insecure: expected true or false"),
    ("backends: [a:1]\nrise: true\n", "--rise: expected a whole number"),
])
def test_bad_files(tmp_path: Path, text: str, message: str):
    path = tmp_path / "lb.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        parse_config([f"--config={path}"])
    assert "\n" not in str(info.value)


def test_missing_file():
    with pytest.raises(ConfigError, match="--config /nonexistent.yaml"):
        parse_config(["--config=/nonexistent.yaml"])
