"""Flag value types the concerns share, with pflag's and Go's wording for a value that does not parse (argparse
prefixes it with `argument --flag: `)."""
from __future__ import annotations

import argparse
import urllib.parse

from apiserver.api.meta.duration import parse_go_duration


def boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "1", "t"):
        return True
    if lowered in ("false", "0", "f"):
        return False
    raise argparse.ArgumentTypeError(f"invalid boolean value {text!r}")


def duration(text: str) -> float:
    """A Go duration (`1m30s`), in seconds."""
    try:
        return parse_go_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid integer {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must not be negative")
    return value


def string_list(text: str) -> tuple[str, ...]:
    """A pflag string slice: comma-separated, empty items dropped."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


def key_values(text: str) -> dict[str, str]:
    """A pflag mapStringString: `key=value[,key=value]`."""
    pairs = {}
    for item in string_list(text):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise argparse.ArgumentTypeError(f"{item!r} must be formatted as key=value")
        pairs[key] = value
    return pairs


def is_url(text: str, scheme: str = "") -> bool:
    parts = urllib.parse.urlsplit(text)
    return bool(parts.scheme and parts.netloc) and (not scheme or parts.scheme == scheme)
