"""Media type negotiation of answers, as kube-apiserver's (k8s.io/apiserver handlers/negotiation) does it."""
from __future__ import annotations

import orjson
import pytest

from apiserver.api.meta.errors import StatusError
from apiserver.api.protobuf import decode_body
from apiserver.endpoints import serialization as s

CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}}
TABLE = {"apiVersion": "meta.k8s.io/v1", "kind": "Table", "metadata": {}, "columnDefinitions": [], "rows": []}


@pytest.mark.parametrize(("accept", "expected"), [
    (None, s.JSON),
    ("", s.JSON),
    ("*/*", s.JSON),
    ("application/*", s.JSON),
    ("application/vnd.kubernetes.protobuf, */*", s.PROTOBUF),  # client-go's typed clients
    ("application/vnd.kubernetes.protobuf,application/json", s.PROTOBUF),
    ("application/json, application/vnd.kubernetes.protobuf", s.JSON),
    ("application/vnd.kubernetes.protobuf;q=0.5, application/json", s.JSON),
    ("application/yaml", s.YAML),
    ("application/cbor, application/vnd.kubernetes.protobuf", s.PROTOBUF),
    ("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, application/json", s.JSON),
    ("application/cbor", None),
    ("text/html", None),
    ("application/json;q=0", None),
])
def test_negotiate(accept: str | None, expected: str | None) -> None:
    assert s.negotiate(accept, s.SERVED) == expected


def test_protobuf_answer_is_the_encoded_object() -> None:
    body, content_type = s.encode_response(CM, "application/vnd.kubernetes.protobuf, */*")
    assert content_type == s.PROTOBUF and decode_body(body) == CM


def test_kind_without_protobuf_falls_back_or_is_not_acceptable() -> None:
    assert s.encode_response(TABLE, "application/vnd.kubernetes.protobuf, application/json")[1] == s.JSON
    with pytest.raises(StatusError) as err:
        s.encode_response(TABLE, "application/vnd.kubernetes.protobuf")
    assert err.value.code == 406


def test_not_acceptable_names_what_is() -> None:
    with pytest.raises(StatusError) as err:
        s.check_acceptable("application/cbor")
    assert (err.value.code, err.value.reason, err.value.message) == (
        406, "NotAcceptable", "only the following media types are accepted: application/json, application/yaml, "
                              "application/vnd.kubernetes.protobuf")
    with pytest.raises(StatusError) as err:
        s.check_acceptable("application/yaml", watch=True)
    assert err.value.message == ("only the following media types are accepted: application/json;stream=watch, "
                                 "application/vnd.kubernetes.protobuf;stream=watch")


def test_unsupported_body_type() -> None:
    with pytest.raises(StatusError) as err:
        s.decode("application/cbor", b"\xa0")
    assert (err.value.code, err.value.reason, err.value.message) == (
        415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types "
                                     "include: application/json, application/yaml, application/vnd.kubernetes.protobuf")


def test_watch_type() -> None:
    assert s.watch_type("application/vnd.kubernetes.protobuf;stream=watch, application/json", "v1", "ConfigMap") \
        == s.PROTOBUF
    assert s.watch_type("application/json", "v1", "ConfigMap") == s.JSON
    assert s.watch_type(None, "v1", "ConfigMap") == s.JSON
    with pytest.raises(StatusError):
        s.watch_type("application/vnd.kubernetes.protobuf", "example.com/v1", "Widget")


def test_errors_follow_accept_and_fall_back_to_json() -> None:
    status = StatusError(404, "NotFound", 'configmaps "c" not found').to_status()
    body, content_type = s.encode_error(status, "application/vnd.kubernetes.protobuf")
    # the decoder leaves out empty structs such as metadata {}, which Go prints
    assert content_type == s.PROTOBUF and decode_body(body) == {k: v for k, v in status.items() if v != {}}
    assert s.encode_error(status, "application/cbor")[1] == s.JSON


def test_json_is_escaped_and_ended_as_gos_encoder_writes_it():
    body = s.encode({"message": "a <b> & c\u2028d"})
    assert body == b'{"message":"a \\u003cb\\u003e \\u0026 c\\u2028d"}\n'
    assert orjson.loads(body) == {"message": "a <b> & c\u2028d"}
