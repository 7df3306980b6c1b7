"""How objects are turned into etcd values and back (kube-apiserver's --storage-media-type).

Writes use the configured media type; reads recognise every encoding by its first bytes (the protobuf
magic `k8s\\x00`, a JSON `{`, else YAML), so objects of several encodings can sit side by side in etcd after
the media type was changed, as with kube-apiserver's recognising storage decoder. A kind that has no
protobuf table is stored as JSON, as kube stores custom resources.

The stored bytes never carry `metadata.resourceVersion`: etcd's mod revision is the version, so it is
stamped onto the object on the way out, as kube-apiserver does.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import yaml

from apiserver.api.meta.types import Obj
from apiserver.api.protobuf import (
    ProtobufDecodeError,
    ProtobufEncodeError,
    can_encode,
    decode_body,
    encode_object,
)
from apiserver.api.protobuf.envelope import MAGIC
from apiserver.storage.media_type import JSON, PROTOBUF, YAML


class DecodeError(ValueError):
    pass


# libyaml's C parser and emitter when PyYAML was built with them (its wheels are), else the Python ones
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _YamlLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """Safe YAML whose timestamps stay strings, as Go's YAML-to-JSON conversion keeps them."""


_YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _YamlLoader.construct_yaml_str)


def _storable(obj: Obj) -> Obj:
    meta = obj.get("metadata") or {}
    if "resourceVersion" in meta:
        return {**obj, "metadata": {k: v for k, v in meta.items() if k != "resourceVersion"}}
    return obj


def _encode_json(obj: Obj) -> bytes:
    return orjson.dumps(obj)


def _encode_yaml(obj: Obj) -> bytes:
    return yaml.dump(obj, Dumper=_SafeDumper, allow_unicode=True, default_flow_style=False).encode()


def _encode_protobuf(obj: Obj) -> bytes:
    if can_encode(obj):
        try:
            return encode_object(obj)
        except ProtobufEncodeError:
            pass  # a value the Go type could not hold: keep it whole in JSON rather than lose it
    return orjson.dumps(obj)


_ENCODERS: dict[str, Callable[[Obj], bytes]] = {JSON: _encode_json, YAML: _encode_yaml, PROTOBUF: _encode_protobuf}


def encode(obj: Obj, media_type: str = JSON) -> bytes:
    return _ENCODERS[media_type](_storable(obj))


def normalize(obj: Obj, media_type: str) -> Obj:
    """`obj` as it will read back once stored in `media_type` (its resourceVersion kept as it is): itself for
    JSON and YAML; for protobuf, the JSON of the Go value, where empty structs, omitted zeros and empty maps
    are gone. An update's object is compared with the stored one in this form, as kube compares Go values."""
    if media_type != PROTOBUF:
        return obj
    data = _encode_protobuf(_storable(obj))
    if not data.startswith(MAGIC):
        return obj   # stored as JSON after all
    out = decode_body(data, strict=False)
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "resourceVersion" in meta:
        out.setdefault("metadata", {})["resourceVersion"] = meta["resourceVersion"]
    return out


def decode(data: bytes, mod_revision: int) -> Obj:
    obj = _parse(data)
    if not isinstance(obj, dict):
        raise DecodeError("stored value is not an object")
    meta = obj.setdefault("metadata", {})
    if not isinstance(meta, dict):
        raise DecodeError("stored object's metadata is not an object")
    meta["resourceVersion"] = str(mod_revision)
    return obj


def _parse(data: bytes) -> Any:
    if data.startswith(MAGIC):
        try:
            return decode_body(data, strict=False)
        except ProtobufDecodeError as exc:
            raise DecodeError(f"stored value is not valid protobuf ({exc})") from None
    # what is not JSON is read as YAML; an empty value or a JSON array is still a JSON error
    if data.lstrip()[:1] in (b"{", b"[", b""):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise DecodeError(f"stored value is not valid JSON ({exc})") from None
    try:
        return yaml.load(data, Loader=_YamlLoader)
    except yaml.YAMLError as exc:
        raise DecodeError(f"stored value is not valid YAML ({' '.join(str(exc).split())})") from None
