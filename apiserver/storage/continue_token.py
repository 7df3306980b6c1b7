"""The opaque `continue` token of paginated lists: the list's revision and the next key to read.

Same shape as kube-apiserver's (base64 of JSON with the API version, revision and start key, the key
relative to the listed prefix) so that a token cannot be used to read outside the collection.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

import orjson

from apiserver.api.meta.goformat import quote

TOKEN_VERSION = "meta.k8s.io/v1"


class InvalidContinueToken(ValueError):
    pass


@dataclass(frozen=True)
class ContinuePosition:
    revision: int
    start_key: str


def encode_continue(revision: int, next_key: str, prefix: str) -> str:
    relative = next_key[len(prefix):] if next_key.startswith(prefix) else next_key
    raw = orjson.dumps({"v": TOKEN_VERSION, "rv": revision, "start": relative})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_continue(token: str, prefix: str) -> ContinuePosition:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = orjson.loads(raw)
        version, revision, start = data["v"], int(data["rv"]), data["start"]
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        raise InvalidContinueToken("continue key is not valid: incorrect encoded start resourceVersion "
                                   "(version meta.k8s.io/v1)") from None
    if version != TOKEN_VERSION:
        raise InvalidContinueToken(f"continue key is not valid: server does not recognize this encoded version "
                                   f"{quote(str(version))}")
    if revision <= 0:
        raise InvalidContinueToken("continue key is not valid: incorrect encoded start resourceVersion")
    if not isinstance(start, str) or start.startswith("/") or ".." in start.split("/"):
        raise InvalidContinueToken("continue key is not valid: the start key must stay inside the collection")
    return ContinuePosition(revision, prefix + start)
