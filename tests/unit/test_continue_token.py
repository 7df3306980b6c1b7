"""The `continue` token of paginated lists: kube's shape (unpadded base64url of {"v","rv","start"})."""
from __future__ import annotations

import base64

import orjson
import pytest

from apiserver.storage.continue_token import (
    ContinuePosition,
    InvalidContinueToken,
    decode_continue,
    encode_continue,
)

PREFIX = "/registry/configmaps/"


def raw_token(payload: object) -> str:
    """A token built by hand, the way kube-apiserver builds it (base64.RawURLEncoding of the JSON)."""
    data = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize("revision, key, expected_json", [
    (42, PREFIX + "ns/b\0", b'{"v":"meta.k8s.io/v1","rv":42,"start":"ns/b\\u0000"}'),
    (1, PREFIX + "a", b'{"v":"meta.k8s.io/v1","rv":1,"start":"a"}'),
    (9_000_000_000, PREFIX + "kube-system/x/y", b'{"v":"meta.k8s.io/v1","rv":9000000000,"start":"kube-system/x/y"}'),
])
def test_encoding_is_kubes_and_relative_to_the_prefix(revision, key, expected_json):
    token = encode_continue(revision, key, PREFIX)
    assert token == base64.urlsafe_b64encode(expected_json).decode().rstrip("=")
    assert "=" not in token and "+" not in token and "/" not in token


@pytest.mark.parametrize("revision, key", [
    (42, PREFIX + "ns/b\0"),
    (1, PREFIX + "a"),
    (7, PREFIX + "ns/name-with.dots"),
    (123456789, PREFIX + "ns/" + "x" * 300),
    (5, PREFIX + "ünïcode/ключ"),
    (3, PREFIX + "ns/a..b"),
])
def test_round_trip(revision, key):
    token = encode_continue(revision, key, PREFIX)
    assert decode_continue(token, PREFIX) == ContinuePosition(revision, key)


def test_the_key_is_relative_so_a_token_only_reads_inside_the_collection_it_is_used_on():
    token = encode_continue(10, "/registry/configmaps/ns/b", "/registry/configmaps/")
    # the same token used on another collection stays inside that collection
    assert decode_continue(token, "/registry/secrets/") == ContinuePosition(10, "/registry/secrets/ns/b")


@pytest.mark.parametrize("padded", [False, True])
def test_padded_and_unpadded_tokens_are_accepted(padded):
    data = orjson.dumps({"v": "meta.k8s.io/v1", "rv": 3, "start": "abc"})
    token = base64.urlsafe_b64encode(data).decode()
    assert token.endswith("=")
    if not padded:
        token = token.rstrip("=")
    assert decode_continue(token, PREFIX) == ContinuePosition(3, PREFIX + "abc")


BAD_TOKENS = [
    ("garbage", "!!!not base64!!!", "incorrect encoded start resourceVersion"),
    ("short", "abc", "incorrect encoded start resourceVersion"),
    ("empty", "", "incorrect encoded start resourceVersion"),
    ("not-json", raw_token(b"hello world"), "incorrect encoded start resourceVersion"),
    ("json-list", raw_token([1, 2]), "incorrect encoded start resourceVersion"),
    ("json-null", raw_token(None), "incorrect encoded start resourceVersion"),
    ("json-string", raw_token("meta.k8s.io/v1"), "incorrect encoded start resourceVersion"),
    ("no-rv", raw_token({"v": "meta.k8s.io/v1", "start": "a"}), "incorrect encoded start resourceVersion"),
    ("no-start", raw_token({"v": "meta.k8s.io/v1", "rv": 3}), "incorrect encoded start resourceVersion"),
    ("no-version", raw_token({"rv": 3, "start": "a"}), "incorrect encoded start resourceVersion"),
    ("rv-not-number", raw_token({"v": "meta.k8s.io/v1", "rv": "x", "start": "a"}),
     "incorrect encoded start resourceVersion"),
    ("rv-null", raw_token({"v": "meta.k8s.io/v1", "rv": None, "start": "a"}),
     "incorrect encoded start resourceVersion"),
    ("rv-zero", raw_token({"v": "meta.k8s.io/v1", "rv": 0, "start": "a"}), "incorrect encoded start resourceVersion"),
    ("rv-negative", raw_token({"v": "meta.k8s.io/v1", "rv": -4, "start": "a"}),
     "incorrect encoded start resourceVersion"),
    ("wrong-version", raw_token({"v": "meta.k8s.io/v2", "rv": 3, "start": "a"}),
     "server does not recognize this encoded version"),
    ("old-version", raw_token({"v": "v1", "rv": 3, "start": "a"}), "server does not recognize this encoded version"),
    ("start-not-string", raw_token({"v": "meta.k8s.io/v1", "rv": 3, "start": 5}), "stay inside the collection"),
    ("dotdot", raw_token({"v": "meta.k8s.io/v1", "rv": 3, "start": "../secrets/ns/x"}), "stay inside the collection"),
    ("dotdot-inside", raw_token({"v": "meta.k8s.io/v1", "rv": 3, "start": "ns/../../secrets/x"}),
     "stay inside the collection"),
    ("dotdot-alone", raw_token({"v": "meta.k8s.io/v1", "rv": 3, "start": ".."}), "stay inside the collection"),
    ("leading-slash", raw_token({"v": "meta.k8s.io/v1", "rv": 3, "start": "/registry/secrets/ns/x"}),
     "stay inside the collection"),
    ("encoded-outside", encode_continue(5, "../secrets/x", PREFIX), "stay inside the collection"),
    ("encoded-rv-zero", encode_continue(0, PREFIX + "x", PREFIX), "incorrect encoded start resourceVersion"),
]


@pytest.mark.parametrize("token, fragment", [c[1:] for c in BAD_TOKENS], ids=[c[0] for c in BAD_TOKENS])
def test_invalid_tokens_are_rejected(token, fragment):
    with pytest.raises(InvalidContinueToken) as caught:
        decode_continue(token, PREFIX)
    message = str(caught.value)
    assert message.startswith("continue key is not valid: ")
    assert fragment in message


def test_wrong_version_names_the_version():
    with pytest.raises(InvalidContinueToken) as caught:
        decode_continue(raw_token({"v": "meta.k8s.io/v9", "rv": 3, "start": "a"}), PREFIX)
    # kube renders the version with Go's %q
    assert str(caught.value) == ('continue key is not valid: server does not recognize this encoded version '
                                 '"meta.k8s.io/v9"')
