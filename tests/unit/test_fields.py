"""Field selector parsing, escaping, matching and canonical form (kube-compatible)."""

from __future__ import annotations

import pytest

from apiserver.api.meta.fields import (
    EQUALS,
    NOT_EQUALS,
    FieldRequirement,
    FieldSelector,
    escape_field_value,
    parse_field_selector,
)
from apiserver.api.meta.labels import SelectorParseError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a=b", [("a", EQUALS, "b")]),
        ("a==b", [("a", EQUALS, "b")]),
        ("a!=b", [("a", NOT_EQUALS, "b")]),
        ("metadata.name=foo", [("metadata.name", EQUALS, "foo")]),
        (
            "status.phase!=Running,spec.nodeName=",
            [("spec.nodeName", EQUALS, ""), ("status.phase", NOT_EQUALS, "Running")],
        ),
        # terms are kept in sorted order of their raw text
        ("b=1,a=2", [("a", EQUALS, "2"), ("b", EQUALS, "1")]),
        ("a=2,a!=1", [("a", NOT_EQUALS, "1"), ("a", EQUALS, "2")]),
        # empty terms are skipped
        (",a=b,,", [("a", EQUALS, "b")]),
        # whitespace is not trimmed
        (" a = b ", [(" a ", EQUALS, " b ")]),
        # the first operator wins; the field may be empty
        ("=b", [("", EQUALS, "b")]),
        ("!=b", [("", NOT_EQUALS, "b")]),
        ("a=", [("a", EQUALS, "")]),
        ("a!=", [("a", NOT_EQUALS, "")]),
        ("a!b=c", [("a!b", EQUALS, "c")]),
        ("a.b/c-d=e", [("a.b/c-d", EQUALS, "e")]),
        # escapes are not interpreted in the field part, but an escaped comma still does not split
        ("a\\,b=c", [("a\\,b", EQUALS, "c")]),
        # escapes in values
        ("a=x\\,y", [("a", EQUALS, "x,y")]),
        ("a=x\\=y", [("a", EQUALS, "x=y")]),
        ("a=x\\\\y", [("a", EQUALS, "x\\y")]),
        ("a=\\\\", [("a", EQUALS, "\\")]),
        ("a=\\,\\=\\\\,b!=\\,", [("a", EQUALS, ",=\\"), ("b", NOT_EQUALS, ",")]),
        ("a==\\=", [("a", EQUALS, "=")]),
        ("a=\\\\,b=c", [("a", EQUALS, "\\"), ("b", EQUALS, "c")]),
        # anything else is taken literally, including non-ASCII
        ("a=b c(d)!e", [("a", EQUALS, "b c(d)!e")]),
        ("a=ünï", [("a", EQUALS, "ünï")]),
    ],
)
def test_parse(text: str, expected: list[tuple[str, str, str]]) -> None:
    selector = parse_field_selector(text)
    assert selector == FieldSelector(tuple(FieldRequirement(*item) for item in expected))


@pytest.mark.parametrize("text", ["", ",", ",,,"])
def test_empty_selector(text: str) -> None:
    selector = parse_field_selector(text)
    assert selector.empty()
    assert selector.fields() == set()
    assert str(selector) == ""
    assert selector.matches({})
    assert selector.matches({"metadata.name": "x"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a", "invalid selector: 'a'; can't understand 'a'"),
        ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
        ("a\\,b", "invalid selector: 'a\\,b'; can't understand 'a\\,b'"),
        ("a<b", "invalid selector: 'a<b'; can't understand 'a<b'"),
        ("a=b=c", "invalid field selector: unescaped character in value: 61"),
        ("a!==b", "invalid field selector: unescaped character in value: 61"),
        ("a===b", "invalid field selector: unescaped character in value: 61"),
        ("a=b\\", "invalid field selector: invalid escape sequence: \\"),
        ("a=b\\n", "invalid field selector: invalid escape sequence: \\n"),
        ("a=\\x,b=c", "invalid field selector: invalid escape sequence: \\x"),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(SelectorParseError) as excinfo:
        parse_field_selector(text)
    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    ("text", "fields", "expected"),
    [
        ("a=b", {"a": "b"}, True),
        ("a=b", {"a": "c"}, False),
        ("a==b", {"a": "b"}, True),
        ("a!=b", {"a": "c"}, True),
        ("a!=b", {"a": "b"}, False),
        # a missing field reads as ""
        ("a=b", {}, False),
        ("a!=b", {}, True),
        ("a=", {}, True),
        ("a!=", {}, False),
        ("a=", {"a": ""}, True),
        # comma means AND
        ("a=1,b=2", {"a": "1", "b": "2"}, True),
        ("a=1,b=2", {"a": "1", "b": "3"}, False),
        ("a=1,a!=1", {"a": "1"}, False),
        ("a!=1,a!=2", {"a": "3"}, True),
        # escaped values compare unescaped
        ("a=x\\,y", {"a": "x,y"}, True),
        ("a=x\\,y", {"a": "x\\,y"}, False),
    ],
)
def test_matches(text: str, fields: dict[str, str], expected: bool) -> None:
    assert parse_field_selector(text).matches(fields) is expected


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("a==b", "a=b"),
        ("b!=1,a=2", "a=2,b!=1"),
        ("a=x\\,y", "a=x\\,y"),
        ("a=x\\=y\\\\z", "a=x\\=y\\\\z"),
        (",a=,", "a="),
        ("a=1,a=1", "a=1,a=1"),
    ],
)
def test_canonical_string(text: str, canonical: str) -> None:
    selector = parse_field_selector(text)
    assert str(selector) == canonical
    assert parse_field_selector(canonical) == selector


@pytest.mark.parametrize(
    ("value", "escaped"),
    [("", ""), ("plain", "plain"), (",", "\\,"), ("=", "\\="), ("\\", "\\\\"), ("a\\,b=c", "a\\\\\\,b\\=c")],
)
def test_escape_round_trip(value: str, escaped: str) -> None:
    assert escape_field_value(value) == escaped
    assert parse_field_selector("f=" + escaped) == FieldSelector((FieldRequirement("f", EQUALS, value),))


def test_fields_lists_every_field() -> None:
    assert parse_field_selector("a=1,b!=2,a!=3").fields() == {"a", "b"}


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("metadata.name=foo", "metadata.name", "foo"),
        ("metadata.name==foo,metadata.namespace=ns", "metadata.namespace", "ns"),
        ("metadata.name!=foo", "metadata.name", None),
        ("metadata.name=foo", "metadata.namespace", None),
        ("a=", "a", ""),
        ("a!=x,a=y", "a", "y"),
        ("a=y,a=x", "a", "x"),  # first in sorted order, as in Kubernetes
        ("", "a", None),
    ],
)
def test_exact_match(text: str, field: str, expected: str | None) -> None:
    assert parse_field_selector(text).exact_match(field) == expected
