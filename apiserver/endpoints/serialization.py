"""Request bodies in, response bodies out: JSON, YAML and Kubernetes protobuf, chosen as kube-apiserver does.

A request without Content-Type is JSON, as kube-apiserver treats it (the Python client sends none). An
answer takes the first of the client's Accept clauses (highest q first) that the server can write: JSON,
YAML, or protobuf when a table covers the object's kind (a Table, for one, never is: kube serves it in
JSON and YAML only). No such clause is 406 with a Status. Watches speak JSON or protobuf only.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from typing import Any

import orjson
import yaml

from apiserver.api.meta import errors
from apiserver.api.protobuf import (
    ProtobufDecodeError,
    ProtobufEncodeError,
    can_encode,
    encode_object,
)
from apiserver.api.protobuf import decode_body as decode_protobuf

log = logging.getLogger("apiserver.serialization")

JSON = "application/json"
YAML = "application/yaml"
PROTOBUF = "application/vnd.kubernetes.protobuf"
# kube's order for built-in types, which is also the answer to a missing Accept or */*
SERVED = (JSON, YAML, PROTOBUF)
STREAMED = (JSON, PROTOBUF)  # YAML has no watch framing
WATCH_PROTOBUF = f"{PROTOBUF};stream=watch"


def media_type(header: str | None) -> str:
    return (header or "").split(";", 1)[0].strip().lower()


YAML_TYPES = (YAML, "application/x-yaml", "text/yaml")


def check_decodable(content_type: str | None) -> None:
    """415 for a request body in a media type `decode` does not read."""
    if (media_type(content_type) or JSON) not in (JSON, PROTOBUF, *YAML_TYPES):
        raise errors.unsupported_media_type(SERVED)


def decode(content_type: str | None, body: bytes) -> Any:
    kind = media_type(content_type) or JSON
    try:
        if kind == JSON:
            return orjson.loads(body)
        if kind in YAML_TYPES:
            return yaml.safe_load(body)
        if kind == PROTOBUF:
            return decode_protobuf(body)
    except orjson.JSONDecodeError as exc:
        raise errors.bad_request(f"the body of the request could not be decoded as JSON: {exc}") from None
    except yaml.YAMLError as exc:
        raise errors.bad_request(f"the body of the request could not be decoded as YAML: {exc}") from None
    except ProtobufDecodeError as exc:
        raise errors.bad_request(f"the body of the request could not be decoded as protobuf: {exc}") from None
    raise errors.unsupported_media_type(SERVED)


def decode_object(content_type: str | None, body: bytes) -> dict[str, Any]:
    obj = decode(content_type, body)
    if not isinstance(obj, dict):
        raise errors.bad_request("the body of the request must be a single object")
    return obj


@dataclass(frozen=True)
class _Clause:
    type: str
    subtype: str
    q: float
    params: dict[str, str] = field(default_factory=dict)


@functools.lru_cache(maxsize=256)
def _clauses(accept: str) -> tuple[_Clause, ...]:
    """Accept's clauses, most wanted first (by q, then the more specific; otherwise in the client's order).
    Cached: clients send a handful of distinct headers, and each request negotiates more than once."""
    out: list[_Clause] = []
    for part in accept.split(","):
        media, *raw = [p.strip() for p in part.split(";")]
        kind, _, sub = media.lower().partition("/")
        params = {k.strip().lower(): v.strip() for k, _, v in (p.partition("=") for p in raw) if k.strip()}
        try:
            q = float(params.pop("q", "1"))
        except ValueError:
            q = 1.0
        if kind and q > 0:
            out.append(_Clause(kind, sub or "*", q, params))
    return tuple(sorted(out, key=lambda c: (-c.q, c.type == "*", c.subtype == "*")))


def negotiate(accept: str | None, offered: tuple[str, ...]) -> str | None:
    """The media type to answer in, or None when no clause of `accept` names one of `offered`."""
    if not (accept or "").strip():
        return offered[0]
    for clause in _clauses(accept or ""):
        for media in offered:
            kind, sub = media.split("/")
            if not (clause.type == "*" or (clause.type == kind and clause.subtype in (sub, "*"))):
                continue
            if "as" in clause.params and media == PROTOBUF:
                continue  # conversions (as=Table) are served in JSON and YAML only, as kube does
            if clause.params.get("stream") and (media not in STREAMED or clause.params["stream"] != "watch"):
                continue
            return media
    return None


def _offered(obj: Any) -> tuple[str, ...]:
    return SERVED if can_encode(obj) else (JSON, YAML)


def check_acceptable(accept: str | None, watch: bool = False) -> None:
    """406 before any work is done when the client accepts nothing the server could ever answer in."""
    if watch:
        if negotiate(accept, STREAMED) is None:
            raise errors.not_acceptable([JSON + ";stream=watch", WATCH_PROTOBUF])
    elif negotiate(accept, SERVED) is None:
        raise errors.not_acceptable(list(SERVED))


def watch_type(accept: str | None, api_version: str, kind: str) -> str:
    """JSON or PROTOBUF for a watch stream of one kind (406 otherwise)."""
    offered = STREAMED if can_encode({"apiVersion": api_version, "kind": kind}) else (JSON,)
    content_type = negotiate(accept, offered)
    if content_type is None:
        raise errors.not_acceptable([f"{media};stream=watch" for media in offered])
    return content_type


def encode(obj: Any, content_type: str = JSON) -> bytes:
    if content_type == YAML:
        return yaml.safe_dump(obj, sort_keys=False).encode()
    if content_type == PROTOBUF:
        return encode_object(obj)
    # Go's json.Encoder ends each document with a newline, and clients that quote a body (the Python client's
    # errors) show it
    return go_json(obj)


# what Go's encoding/json escapes that orjson writes as is: HTML's three characters and two line separators
_GO_ESCAPES = ((b"<", b"\\u003c"), (b">", b"\\u003e"), (b"&", b"\\u0026"), ("\u2028".encode(), b"\\u2028"),
               ("\u2029".encode(), b"\\u2029"))


def go_json(obj: Any) -> bytes:
    """JSON as kube's serializer writes it (Go's json.Encoder): one line, escaped as Go escapes. The characters
    can only appear inside strings, so replacing them in the bytes is exact."""
    body = orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE)
    for raw, escaped in _GO_ESCAPES:
        if raw in body:
            body = body.replace(raw, escaped)
    return body


def encode_response(obj: Any, accept: str | None) -> tuple[bytes, str]:
    """(body, Content-Type) of an answer; an object the tables cannot hold falls back to JSON or YAML."""
    content_type = negotiate(accept, _offered(obj))
    if content_type == PROTOBUF:
        try:
            return encode_object(obj), PROTOBUF
        except ProtobufEncodeError as exc:
            log.warning("answering in JSON instead of protobuf: %s", exc)
            content_type = negotiate(accept, (JSON, YAML))
    if content_type is None:
        raise errors.not_acceptable(list(SERVED))
    return encode(obj, content_type), content_type


def encode_error(status: dict[str, Any], accept: str | None) -> tuple[bytes, str]:
    """A Status in the client's media type, or in JSON when it accepts none we can write (as kube does)."""
    content_type = negotiate(accept, SERVED) or JSON
    try:
        return encode(status, content_type), content_type
    except ProtobufEncodeError:
        return encode(status), JSON
