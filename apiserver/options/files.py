"""The files flags name: whether they open, checked with the flags. Every failure is a ConfigError that names the
flag."""
from __future__ import annotations

from pathlib import Path

from apiserver.options.errors import ConfigError


def readable(flag: str, path: Path | None) -> None:
    if path is not None:
        read_bytes(flag, path)


def read_bytes(flag: str, path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{flag}: cannot read {path}: {exc.strerror}") from None
