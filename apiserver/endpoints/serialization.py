"""Request bodies in, response bodies out: JSON, YAML and (requests only) Kubernetes protobuf.

A request without Content-Type is JSON, as kube-apiserver treats it (the Python client sends none).
Answers are JSON unless the client asks for YAML first; a client asking for protobuf gets JSON, which
client-go decodes by the response's Content-Type.
"""
from __future__ import annotations

from typing import Any

import orjson
import yaml

from apiserver.api import errors
from apiserver.api.protobuf import ProtobufDecodeError, decode_body as decode_protobuf

JSON = "application/json"
YAML = "application/yaml"
PROTOBUF = "application/vnd.kubernetes.protobuf"


def media_type(header: str | None) -> str:
    return (header or "").split(";", 1)[0].strip().lower()


def decode(content_type: str | None, body: bytes) -> Any:
    kind = media_type(content_type) or JSON
    try:
        if kind == JSON:
            return orjson.loads(body)
        if kind in (YAML, "application/x-yaml", "text/yaml"):
            return yaml.safe_load(body)
        if kind == PROTOBUF:
            return decode_protobuf(body)
    except orjson.JSONDecodeError as exc:
        raise errors.bad_request(f"the body of the request could not be decoded as JSON: {exc}") from None
    except yaml.YAMLError as exc:
        raise errors.bad_request(f"the body of the request could not be decoded as YAML: {exc}") from None
    except ProtobufDecodeError as exc:
        raise errors.bad_request(f"the body of the request could not be decoded as protobuf: {exc}") from None
    raise errors.unsupported_media_type(content_type or "")


def decode_object(content_type: str | None, body: bytes) -> dict[str, Any]:
    obj = decode(content_type, body)
    if not isinstance(obj, dict):
        raise errors.bad_request("the body of the request must be a single object")
    return obj


def response_type(accept: str | None) -> str:
    """YAML only when the client prefers it; everything else (protobuf, */*, json) is answered in JSON."""
    for part in (accept or "").split(","):
        kind = media_type(part)
        if kind in (JSON, "*/*", "application/*", PROTOBUF, ""):
            return JSON
        if kind in (YAML, "application/x-yaml"):
            return YAML
    return JSON


def encode(obj: Any, content_type: str = JSON) -> bytes:
    if content_type == YAML:
        return yaml.safe_dump(obj, sort_keys=False).encode()
    return orjson.dumps(obj)
