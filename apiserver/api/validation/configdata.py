"""Validation of the two kinds that carry configuration data, ConfigMap and Secret (kube's
pkg/apis/core/validation): key syntax, the 1 MiB size bound, the fields a Secret's type requires, and what
`immutable: true` freezes."""
from __future__ import annotations

import base64
import binascii
import re
from typing import Any

import orjson

from apiserver.api.meta.errors import Cause, forbidden_field, too_long
from apiserver.api.meta.goformat import byte_len
from apiserver.api.meta.types import Obj
from apiserver.api.validation.kinds import invalid, required

# kube's MaxSecretSize, which bounds ConfigMaps too
MAX_SIZE = 1024 * 1024
_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_KEY_MESSAGE = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
                "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
_FROZEN = "field is immutable when `immutable` is set"
SERVICE_ACCOUNT_NAME_ANNOTATION = "kubernetes.io/service-account.name"


def config_key_errors(key: str) -> list[str]:
    """kube's IsConfigMapKey: the key must be usable as a file name in a volume."""
    errors = []
    if byte_len(key) > 253:
        errors.append("must be no more than 253 characters")
    if not _KEY.fullmatch(key):
        errors.append(_KEY_MESSAGE)
    if key == ".":
        errors.append("must not be '.'")
    elif key == "..":
        errors.append("must not be '..'")
    elif key.startswith(".."):
        errors.append("must not start with '..'")
    return errors


def _decoded_len(value: Any) -> int:
    """Bytes a base64 member holds, which is what kube's bound counts."""
    if not isinstance(value, str):
        return 0
    try:
        return len(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        return len(value)


def _keys(bag: Any, path: str) -> list[Cause]:
    return [invalid(f"{path}[{key}]", key, message)
            for key in (bag or {}) for message in config_key_errors(key)]


def config_map(obj: Obj) -> list[Cause]:
    data, binary = obj.get("data") or {}, obj.get("binaryData") or {}
    causes = _keys(data, "data")
    causes += [invalid(f"data[{key}]", key, "duplicate of key present in binaryData") for key in data if key in binary]
    causes += _keys(binary, "binaryData")
    size = sum(byte_len(v) for v in data.values() if isinstance(v, str)) + sum(map(_decoded_len, binary.values()))
    # kube names the whole object with an empty path, which Go prints as `[]`
    return causes + ([too_long("[]", MAX_SIZE)] if size > MAX_SIZE else [])


def _frozen(new: Obj, old: Obj, fields: tuple[str, ...]) -> list[Cause]:
    """What kube refuses on an update of an object stored with `immutable: true`."""
    if old.get("immutable") is not True:
        return []
    causes = [] if new.get("immutable") is True else [forbidden_field("immutable", _FROZEN)]
    return causes + [forbidden_field(f, _FROZEN) for f in fields if (new.get(f) or {}) != (old.get(f) or {})]


def config_map_update(new: Obj, old: Obj) -> list[Cause]:
    """kube's ValidateConfigMapUpdate: what `immutable` freezes first, then the object as a whole."""
    return _frozen(new, old, ("data", "binaryData")) + config_map(new)


def _json_member(data: Obj, key: str) -> list[Cause]:
    """Docker config Secrets must hold their config under `key`, as a JSON object."""
    if key not in data:
        return [required(f"data[{key}]")]
    try:
        parsed = orjson.loads(base64.b64decode(data[key]))
    except (binascii.Error, ValueError, orjson.JSONDecodeError) as exc:
        return [invalid(f"data[{key}]", "<secret contents redacted>", str(exc))]
    if not isinstance(parsed, dict):
        return [invalid(f"data[{key}]", "<secret contents redacted>",
                        "json: cannot unmarshal into Go value of type map[string]interface {}")]
    return []


def secret(obj: Obj) -> list[Cause]:
    data = obj.get("data") or {}
    causes = _keys(data, "data")
    if sum(map(_decoded_len, data.values())) > MAX_SIZE:
        causes.append(too_long("data", MAX_SIZE))
    kind = obj.get("type")
    if kind == "kubernetes.io/service-account-token":
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        if not annotations.get(SERVICE_ACCOUNT_NAME_ANNOTATION):
            causes.append(required(f"metadata.annotations[{SERVICE_ACCOUNT_NAME_ANNOTATION}]"))
    elif kind == "kubernetes.io/dockercfg":
        causes += _json_member(data, ".dockercfg")
    elif kind == "kubernetes.io/dockerconfigjson":
        causes += _json_member(data, ".dockerconfigjson")
    elif kind == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            # kube's own field path for these two really is `data[%s][...]`
            causes += [required("data[%s][username]"), required("data[%s][password]")]
    elif kind == "kubernetes.io/ssh-auth":
        if not data.get("ssh-privatekey"):
            causes.append(required("data[%s][ssh-privatekey]"))
    elif kind == "kubernetes.io/tls":
        causes += [required(f"data[{key}]") for key in ("tls.crt", "tls.key") if key not in data]
    return causes


def secret_update(new: Obj, old: Obj) -> list[Cause]:
    """kube's ValidateSecretUpdate: the type, then what `immutable` freezes, then the object as a whole."""
    causes = [] if new.get("type") == old.get("type") else [invalid("type", new.get("type"), "field is immutable")]
    return causes + _frozen(new, old, ("data",)) + secret(new)


def merge_string_data(obj: Obj) -> None:
    """kube's conversion of a v1 Secret: `stringData` is written into `data` (base64; it wins on a shared key)
    and is never stored or returned."""
    string_data = obj.pop("stringData", None)
    if not isinstance(string_data, dict) or not string_data:
        return
    data = obj.get("data")
    if not isinstance(data, dict):
        data = obj["data"] = {}
    for key, value in string_data.items():
        data[key] = base64.b64encode(str(value).encode()).decode()
