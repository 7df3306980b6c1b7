"""The balancer's settings, from flags and optionally a YAML file (same names without dashes; flags win)."""
from __future__ import annotations

import argparse
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, NoReturn, Sequence

import yaml

from apiserver.api.duration import parse_go_duration

BALANCES = ("roundrobin", "leastconn")


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class LbConfig:
    listen: Address = Address("127.0.0.1", 6443)
    backends: tuple[Address, ...] = ()
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
    config: Path | None = None


def parse_address(text: str) -> Address:
    host, sep, port = str(text).rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"invalid address {text!r}: expected HOST:PORT")
    return Address(host.strip("[]"), int(port))


def _duration(name: str, value: Any) -> float:
    try:
        return parse_go_duration(str(value))
    except ValueError as exc:
        raise ConfigError(f"--{name}: {exc}") from None


def _positive_int(name: str, value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"--{name}: {value!r} is not an integer") from None
    if number < 1:
        raise ConfigError(f"--{name}: must be at least 1")
    return number


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ConfigError(message)


def _parser() -> _Parser:
    p = _Parser(prog="python -m lb", allow_abbrev=False)
    p.add_argument("--config", type=Path)
    p.add_argument("--listen")
    p.add_argument("--backend", action="append", default=None, dest="backend")
    p.add_argument("--backends")
    p.add_argument("--balance")
    p.add_argument("--health-path")
    p.add_argument("--health-interval")
    p.add_argument("--health-timeout")
    p.add_argument("--rise")
    p.add_argument("--fall")
    p.add_argument("--health-ca-file", type=Path)
    p.add_argument("--health-cert-file", type=Path)
    p.add_argument("--health-key-file", type=Path)
    p.add_argument("--health-insecure", action="store_true", default=None)
    p.add_argument("--drain-timeout")
    p.add_argument("--connect-timeout")
    p.add_argument("--admin")
    return p


def _from_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"--config {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"--config {path}: expected a mapping")
    known = {f.name.replace("_", "-") for f in fields(LbConfig)} | {"backend", "backends"}
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"--config {path}: unknown settings {sorted(unknown)}")
    return {k.replace("-", "_"): v for k, v in data.items()}


def parse_config(argv: Sequence[str]) -> LbConfig:
    args = vars(_parser().parse_args(list(argv)))
    merged: dict[str, Any] = _from_file(args["config"]) if args["config"] else {}
    for key, value in args.items():
        if value is not None:
            merged[key] = value
    backends: list[str] = []
    for key in ("backend", "backends"):
        value = merged.get(key)
        if isinstance(value, str):
            backends.extend(v.strip() for v in value.split(",") if v.strip())
        elif value:
            backends.extend(str(v) for v in value)
    balance = merged.get("balance", "roundrobin")
    if balance not in BALANCES:
        raise ConfigError(f"--balance: {balance!r} is not one of {', '.join(BALANCES)}")
    return LbConfig(
        listen=parse_address(merged.get("listen", "127.0.0.1:6443")),
        backends=tuple(parse_address(b) for b in backends),
        balance=balance,
        health_path=merged.get("health_path", "/readyz"),
        health_interval=_duration("health-interval", merged.get("health_interval", "1s")),
        health_timeout=_duration("health-timeout", merged.get("health_timeout", "1s")),
        rise=_positive_int("rise", merged.get("rise", 2)),
        fall=_positive_int("fall", merged.get("fall", 2)),
        health_ca_file=_path(merged.get("health_ca_file")),
        health_cert_file=_path(merged.get("health_cert_file")),
        health_key_file=_path(merged.get("health_key_file")),
        health_insecure=bool(merged.get("health_insecure", False)),
        drain_timeout=_duration("drain-timeout", merged.get("drain_timeout", "30s")),
        connect_timeout=_duration("connect-timeout", merged.get("connect_timeout", "1s")),
        admin=parse_address(merged["admin"]) if merged.get("admin") else None,
        config=merged.get("config"),
    )


def _path(value: Any) -> Path | None:
    return Path(value) if value else None
