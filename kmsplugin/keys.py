"""The plugin's key file: named 32-byte key-encryption keys and which one is current.

    {"current": "key-2", "keys": {"key-1": "<base64>", "key-2": "<base64>"}}

Old keys stay in the file so that values they wrapped remain readable; `rotate` adds a key and makes it
current, which the API server notices through Status (a new key ID) and answers with a new DEK seed.
"""
from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

KEY_SIZE = 32


class KeyFileError(Exception):
    pass


@dataclass(frozen=True)
class KeySet:
    current: str
    keys: dict[str, bytes]

    def to_json(self) -> str:
        return json.dumps({"current": self.current,
                           "keys": {name: base64.b64encode(key).decode() for name, key in self.keys.items()}},
                          indent=2) + "\n"


def parse(text: str) -> KeySet:
    try:
        doc = json.loads(text)
        keys = {str(name): base64.b64decode(value, validate=True) for name, value in doc["keys"].items()}
        current = str(doc["current"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeyFileError(f"malformed key file: {exc}") from None
    if current not in keys:
        raise KeyFileError(f"current key {current!r} is not among the keys")
    for name, key in keys.items():
        if len(key) != KEY_SIZE:
            raise KeyFileError(f"key {name!r} is {len(key)} bytes, expected {KEY_SIZE}")
    return KeySet(current, keys)


def load(path: Path) -> KeySet:
    try:
        return parse(path.read_text())
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.strerror}") from None


def save(path: Path, keys: KeySet) -> None:
    """Replaces the file atomically with owner-only permissions: a running plugin never reads half of it."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(keys.to_json())
    tmp.replace(path)


def create(path: Path) -> KeySet:
    keys = KeySet("key-1", {"key-1": os.urandom(KEY_SIZE)})
    save(path, keys)
    return keys


def rotate(path: Path, name: str = "") -> KeySet:
    """Adds a fresh key (named `key-<n>` unless a name is given) and makes it current."""
    old = load(path)
    name = name or f"key-{len(old.keys) + 1}"
    if name in old.keys:
        raise KeyFileError(f"key {name!r} already exists")
    new = KeySet(name, {**old.keys, name: os.urandom(KEY_SIZE)})
    save(path, new)
    return new
