"""How objects are turned into etcd values and back.

The stored bytes never carry `metadata.resourceVersion`: etcd's mod revision is the version, so it is
stamped onto the object on the way out, as kube-apiserver does.
"""
from __future__ import annotations

from typing import Any

import orjson

Obj = dict[str, Any]


class DecodeError(ValueError):
    pass


def encode(obj: Obj) -> bytes:
    meta = obj.get("metadata") or {}
    if "resourceVersion" in meta:
        obj = {**obj, "metadata": {k: v for k, v in meta.items() if k != "resourceVersion"}}
    return orjson.dumps(obj)


def decode(data: bytes, mod_revision: int) -> Obj:
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise DecodeError(f"stored value is not valid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise DecodeError("stored value is not a JSON object")
    meta = obj.setdefault("metadata", {})
    if not isinstance(meta, dict):
        raise DecodeError("stored object's metadata is not a JSON object")
    meta["resourceVersion"] = str(mod_revision)
    return obj
