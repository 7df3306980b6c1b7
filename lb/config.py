"""The balancer's settings: flags, optionally a YAML file (same names without the dashes); flags win."""
from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import yaml

from apiserver.api.meta.duration import parse_go_duration

BALANCES = ("roundrobin", "leastconn")

# flag name (without dashes) -> its default as the user would write it, so that file values, flag values and
# defaults all go through the same conversion and validation
DEFAULTS: dict[str, Any] = {
    "listen": "127.0.0.1:6443",
    "balance": "roundrobin",
    "health-path": "/readyz",
    "health-interval": "1s",
    "health-timeout": "1s",
    "rise": 2,
    "fall": 2,
    "health-ca-file": None,
    "health-cert-file": None,
    "health-key-file": None,
    "health-insecure": False,
    "drain-timeout": "30s",
    "connect-timeout": "1s",
    "admin": None,
}
BACKEND_KEYS = ("backend", "backends")


class ConfigError(Exception):
    """A setting that cannot be used; its message is the one line the user sees."""


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class LbConfig:
    listen: Address
    backends: tuple[Address, ...]
    balance: str = "roundrobin"
    health_path: str = "/readyz"
    health_interval: float = 1.0
    health_timeout: float = 1.0
    rise: int = 2
    fall: int = 2
    health_ca_file: Path | None = None
    health_cert_file: Path | None = None
    health_key_file: Path | None = None
    health_insecure: bool = False
    drain_timeout: float = 30.0
    connect_timeout: float = 1.0
    admin: Address | None = None
    config_file: Path | None = None
    # True when the backend list came from flags: a reload then has no list of its own to re-read
    backends_from_flags: bool = False


def parse_address(text: Any, name: str) -> Address:
    host, sep, port = str(text).strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"--{name}: invalid address {text!r}, expected HOST:PORT")
    return Address(host, int(port))


def _duration(name: str, value: Any, allow_zero: bool = False) -> float:
    try:
        seconds = parse_go_duration(str(value))
    except ValueError as exc:
        raise ConfigError(f"--{name}: {exc}") from None
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise ConfigError(f"--{name}: must be {'at least 0' if allow_zero else 'positive'}, got {value!r}")
    return seconds


def _count(name: str, value: Any) -> int:
    # bool is an int in Python; `rise: true` in YAML is a mistake, not 1
    if isinstance(value, bool) or not str(value).isdigit() or int(value) < 1:
        raise ConfigError(f"--{name}: expected a whole number of at least 1, got {value!r}")
    return int(value)


def _flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ConfigError(f"--{name}: expected true or false, got {value!r}")


def _file(name: str, value: Any) -> Path | None:
    if value is None:
        return None
    path = Path(str(value))
    if not path.is_file():
        raise ConfigError(f"--{name}: no such file {str(path)!r}")
    return path


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ConfigError(message)


def _parser() -> _Parser:
    parser = _Parser(prog="python -m lb", allow_abbrev=False)
    parser.add_argument("--config")
    parser.add_argument("--backend", action="append")
    parser.add_argument("--backends", action="append")
    for name, default in DEFAULTS.items():
        if isinstance(default, bool):
            parser.add_argument(f"--{name}", action="store_const", const=True)
        else:
            parser.add_argument(f"--{name}")
    return parser


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"--config {path}: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"--config {path}: expected a mapping of setting names to values")
    # `health_path` is accepted as well as `health-path`: both spellings are common in YAML
    settings = {str(key).replace("_", "-"): value for key, value in data.items()}
    unknown = sorted(set(settings) - set(DEFAULTS) - set(BACKEND_KEYS))
    if unknown:
        raise ConfigError(f"--config {path}: unknown settings {', '.join(unknown)}")
    return settings


def _backends(settings: dict[str, Any], name: str) -> list[Address]:
    values: list[Any] = []
    for key in BACKEND_KEYS:
        value = settings.get(key)
        if value is not None:
            values.extend(value if isinstance(value, list) else [value])
    addresses: list[Address] = []
    for value in values:
        items = value.split(",") if isinstance(value, str) else [value]
        addresses.extend(parse_address(item, name) for item in items if str(item).strip())
    # the same backend listed twice would only skew the balancing
    return list(dict.fromkeys(addresses))


def parse_config(argv: Sequence[str]) -> LbConfig:
    """Flags over file over defaults; every value is checked here, so a bad one fails before anything starts."""
    args = {key.replace("_", "-"): value for key, value in vars(_parser().parse_args(list(argv))).items()}
    config_file = Path(args["config"]) if args["config"] else None
    from_file = _read_file(config_file) if config_file else {}
    settings = {**DEFAULTS, **from_file, **{k: v for k, v in args.items() if v is not None and k in DEFAULTS}}

    flag_backends = _backends(args, "backend")
    backends = flag_backends or _backends(from_file, "backends")
    if not backends:
        raise ConfigError("no backends: give --backend HOST:PORT (or backends: in the --config file)")
    if settings["balance"] not in BALANCES:
        raise ConfigError(f"--balance: {settings['balance']!r} is not one of {', '.join(BALANCES)}")
    health_path = str(settings["health-path"])
    if not health_path.startswith("/"):
        raise ConfigError(f"--health-path: must start with '/', got {health_path!r}")
    cert = _file("health-cert-file", settings["health-cert-file"])
    key = _file("health-key-file", settings["health-key-file"])
    if (cert is None) != (key is None):
        raise ConfigError("--health-cert-file and --health-key-file go together")
    return LbConfig(
        listen=parse_address(settings["listen"], "listen"),
        backends=tuple(backends),
        balance=settings["balance"],
        health_path=health_path,
        health_interval=_duration("health-interval", settings["health-interval"]),
        health_timeout=_duration("health-timeout", settings["health-timeout"]),
        rise=_count("rise", settings["rise"]),
        fall=_count("fall", settings["fall"]),
        health_ca_file=_file("health-ca-file", settings["health-ca-file"]),
        health_cert_file=cert,
        health_key_file=key,
        health_insecure=_flag("health-insecure", settings["health-insecure"]),
        drain_timeout=_duration("drain-timeout", settings["drain-timeout"], allow_zero=True),
        connect_timeout=_duration("connect-timeout", settings["connect-timeout"]),
        admin=parse_address(settings["admin"], "admin") if settings["admin"] else None,
        config_file=config_file,
        backends_from_flags=bool(flag_backends),
    )
