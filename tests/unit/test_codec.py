"""Stored bytes never carry metadata.resourceVersion; decoding stamps etcd's mod revision on."""
from __future__ import annotations

import orjson
import pytest

from apiserver.storage.codec import DecodeError, decode, encode


@pytest.mark.parametrize("obj, stored", [
    ({"kind": "ConfigMap", "metadata": {"name": "c", "resourceVersion": "17"}, "data": {"a": "b"}},
     {"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}}),
    ({"kind": "ConfigMap", "metadata": {"name": "c", "resourceVersion": ""}},
     {"kind": "ConfigMap", "metadata": {"name": "c"}}),
    ({"kind": "ConfigMap", "metadata": {"name": "c"}}, {"kind": "ConfigMap", "metadata": {"name": "c"}}),
    ({"kind": "ConfigMap"}, {"kind": "ConfigMap"}),
    ({"metadata": None, "x": 1}, {"metadata": None, "x": 1}),
    ({"metadata": {"resourceVersion": "5", "labels": {"resourceVersion": "keep"}},
      "spec": {"resourceVersion": "keep"}},
     {"metadata": {"labels": {"resourceVersion": "keep"}}, "spec": {"resourceVersion": "keep"}}),
])
def test_resource_version_is_never_stored(obj, stored):
    assert orjson.loads(encode(obj)) == stored


def test_encode_does_not_touch_the_callers_object():
    obj = {"metadata": {"name": "c", "resourceVersion": "17"}}
    encode(obj)
    assert obj == {"metadata": {"name": "c", "resourceVersion": "17"}}


def test_encode_is_compact_json():
    assert encode({"a": [1, 2], "metadata": {"name": "x", "resourceVersion": "3"}}) == \
        b'{"a":[1,2],"metadata":{"name":"x"}}'


@pytest.mark.parametrize("data, revision, expected", [
    (b'{"kind":"ConfigMap","metadata":{"name":"c"}}', 42,
     {"kind": "ConfigMap", "metadata": {"name": "c", "resourceVersion": "42"}}),
    (b'{"kind":"ConfigMap"}', 7, {"kind": "ConfigMap", "metadata": {"resourceVersion": "7"}}),
    # a resourceVersion somehow stored is overwritten by the revision, the only truth
    (b'{"metadata":{"name":"c","resourceVersion":"1"}}', 99, {"metadata": {"name": "c", "resourceVersion": "99"}}),
    (b'{}', 1, {"metadata": {"resourceVersion": "1"}}),
    (b'  {"metadata": {}}  ', 123456789012, {"metadata": {"resourceVersion": "123456789012"}}),
])
def test_decode_stamps_the_revision(data, revision, expected):
    assert decode(data, revision) == expected


@pytest.mark.parametrize("obj", [
    {"kind": "Pod", "metadata": {"name": "p", "namespace": "ns", "uid": "u", "resourceVersion": "3"},
     "spec": {"containers": [{"name": "c", "image": "i"}]}},
    {"kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "dmFsdWU="}, "unicode": "ключ ✓"},
])
def test_round_trip(obj):
    back = decode(encode(obj), 10)
    expected = {**obj, "metadata": {**obj["metadata"], "resourceVersion": "10"}}
    assert back == expected


@pytest.mark.parametrize("data, message", [
    (b"", "stored value is not valid JSON"),
    (b"  ", "stored value is not valid JSON"),
    (b'{"a":', "stored value is not valid JSON"),
    (b"[1, 2", "stored value is not valid JSON"),
    (b"a: [", "stored value is not valid YAML"),
    (b"\xff\xfe\x00", "stored value is not valid YAML"),
    (b"k8s\x00garbage", "stored value is not valid protobuf"),
    (b"k8s\x00\x0a\x0f\x0a\x02v1\x12\x09NoSuchKind", "stored value is not valid protobuf"),
    (b"[1, 2]", "stored value is not an object"),
    (b'"text"', "stored value is not an object"),
    (b"garbage", "stored value is not an object"),
    (b"null", "stored value is not an object"),
    (b"42", "stored value is not an object"),
    (b"- a\n- b\n", "stored value is not an object"),
])
def test_garbage_is_a_decode_error(data, message):
    with pytest.raises(DecodeError) as caught:
        decode(data, 1)
    assert str(caught.value).startswith(message)


# a DecodeError is what etcd3 and the cacher turn into a corrupt-object error, unlike a TypeError
@pytest.mark.parametrize("data", [b'{"metadata":null}', b'{"metadata":[1]}', b'{"metadata":"x"}'])
def test_a_stored_object_whose_metadata_is_not_an_object_is_a_decode_error(data):
    with pytest.raises(DecodeError, match="metadata is not an object"):
        decode(data, 1)
