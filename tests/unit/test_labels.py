"""Label selector parsing, validation, matching and canonical form (kube-compatible)."""

from __future__ import annotations

import pytest

from apiserver.api.meta.labels import (
    DOES_NOT_EXIST,
    DOUBLE_EQUALS,
    EQUALS,
    EVERYTHING,
    EXISTS,
    GREATER_THAN,
    IN,
    LESS_THAN,
    NOT_EQUALS,
    NOT_IN,
    NOTHING,
    LabelSelector,
    Requirement,
    SelectorParseError,
    label_value_errors,
    new_requirement,
    parse_label_selector,
    qualified_name_errors,
    selector_from_label_selector_object,
)

NAME_REGEX_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
VALUE_REGEX_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
    "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
SUBDOMAIN_REGEX_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
OPERATORS_EXPECTED = "in, notin, =, ==, !=, gt, lt"
EMPTY_SET_MSG = "for 'in', 'notin' operators, values set can't be empty"


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a=b", (("a", EQUALS, ("b",)),)),
        ("a==b", (("a", DOUBLE_EQUALS, ("b",)),)),
        ("a!=b", (("a", NOT_EQUALS, ("b",)),)),
        ("a in (x,y)", (("a", IN, ("x", "y")),)),
        ("a notin (x,y)", (("a", NOT_IN, ("x", "y")),)),
        ("a", (("a", EXISTS, ()),)),
        ("!a", (("a", DOES_NOT_EXIST, ()),)),
        ("a>1", (("a", GREATER_THAN, ("1",)),)),
        ("a<1", (("a", LESS_THAN, ("1",)),)),
    ],
)
def test_each_operator_parses(text: str, expected: tuple[tuple[str, str, tuple[str, ...]], ...]) -> None:
    selector = parse_label_selector(text)
    assert selector == LabelSelector(tuple(Requirement(k, op, vals) for k, op, vals in expected))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # whitespace is tolerated around every token
        ("  a  =  b  ", "a=b"),
        ("\ta\t!=\tb\n", "a!=b"),
        ("a in(x , y )", "a in (x,y)"),
        ("a  notin  ( x )", "a notin (x)"),
        ("! a", "!a"),
        ("  !  a  ,  b  ", "!a,b"),
        ("a , b", "a,b"),
        # empty values
        ("a=", "a="),
        ("a==", "a=="),
        ("a!=", "a!="),
        ("a=,b", "a=,b"),
        ("a in ()", "a in ()"),
        ("a in (,)", "a in ()"),
        ("a in (,x)", "a in (,x)"),
        ("a in (x,)", "a in (,x)"),
        ("a in (x,,y)", "a in (,x,y)"),
        ("x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"),
        # values are deduplicated and sorted, requirements sorted by key
        ("a in (z,y,z,x)", "a in (x,y,z)"),
        ("c=1,a=2,b", "a=2,b,c=1"),
        ("b,!a", "!a,b"),
        # keywords are plain identifiers wherever an operator is not expected
        ("in in (in)", "in in (in)"),
        ("notin notin (notin,in)", "notin notin (in,notin)"),
        ("in=notin", "in=notin"),
        ("in", "in"),
        ("!notin", "!notin"),
        # prefixed keys and the full value charset
        ("example.com/my-key_1.x=Va_l-1.2", "example.com/my-key_1.x=Va_l-1.2"),
        ("k>007", "k>007"),
    ],
)
def test_canonical_string(text: str, expected: str) -> None:
    selector = parse_label_selector(text)
    assert str(selector) == expected
    # the canonical form re-parses to the same selector
    assert parse_label_selector(expected) == selector


@pytest.mark.parametrize("text", ["", " ", "\t\r\n "])
def test_empty_selector_matches_everything(text: str) -> None:
    selector = parse_label_selector(text)
    assert selector.empty()
    assert selector == EVERYTHING
    assert str(selector) == ""
    assert selector.matches({})
    assert selector.matches(None)
    assert selector.matches({"any": "thing"})


def test_non_empty_selector_is_not_empty() -> None:
    assert not parse_label_selector("a").empty()


# ---------------------------------------------------------------- errors


def _value_error(key: str, value: str) -> str:
    return f'values[0][{key}]: Invalid value: "{value}": {VALUE_REGEX_MSG}'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # structure
        (",", "found ',', expected: !, identifier, or 'end of string'"),
        (",a", "found ',', expected: !, identifier, or 'end of string'"),
        ("=a", "found '=', expected: !, identifier, or 'end of string'"),
        ("(a)", "found '(', expected: !, identifier, or 'end of string'"),
        ("a,", "found '', expected: identifier after ','"),
        ("a,,b", "found ',', expected: identifier after ','"),
        ("a,=b", "found '=', expected: identifier after ','"),
        ("a=b c", "found 'c', expected: ',' or 'end of string'"),
        ("a=b)", "found ')', expected: ',' or 'end of string'"),
        ("a in (x) y", "found 'y', expected: ',' or 'end of string'"),
        ("!a=b", "found '=', expected: ',' or 'end of string'"),
        ("!a in (b)", "found 'in', expected: ',' or 'end of string'"),
        # requirement-level
        ("!", "unable to parse requirement: found '', expected: identifier"),
        ("!!a", "unable to parse requirement: found '!', expected: identifier"),
        ("!,a", "unable to parse requirement: found ',', expected: identifier"),
        ("a b", f"unable to parse requirement: found 'b', expected: {OPERATORS_EXPECTED}"),
        ("a (b)", f"unable to parse requirement: found '(', expected: {OPERATORS_EXPECTED}"),
        ("a !b", f"unable to parse requirement: found '!', expected: {OPERATORS_EXPECTED}"),
        ("a in x", "unable to parse requirement: found 'x' expected: '('"),
        ("a in", "unable to parse requirement: found '' expected: '('"),
        ("a notin", "unable to parse requirement: found '' expected: '('"),
        ("a in (", "unable to parse requirement: found '', expected: ',', ')' or identifier"),
        ("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
        ("a in (x", "unable to parse requirement: found '', expected: ',' or ')'"),
        ("a in (x y)", "unable to parse requirement: found 'y', expected: ',' or ')'"),
        ("a in (x,", "unable to parse requirement: found '', expected: ',', or identifier"),
        ("a in (x,=)", "unable to parse requirement: found '=', expected: ',', or identifier"),
        ("a=(b)", "unable to parse requirement: found '(', expected: identifier"),
        ("a=!b", "unable to parse requirement: found '!', expected: identifier"),
        ("a===b", "unable to parse requirement: found '=', expected: identifier"),
        # numeric operators
        ("a>x", "unable to parse requirement: values[0]: Invalid value: \"x\": "
         "for 'Gt', 'Lt' operators, the value must be an integer"),
        ("a<", "unable to parse requirement: values[0]: Invalid value: \"\": "
         "for 'Gt', 'Lt' operators, the value must be an integer"),
        ("a>99999999999999999999", "unable to parse requirement: values[0]: Invalid value: "
         "\"99999999999999999999\": for 'Gt', 'Lt' operators, the value must be an integer"),
        ("a>-1", f"unable to parse requirement: {_value_error('a', '-1')}"),
        ("a<+5", f"unable to parse requirement: {_value_error('a', '+5')}"),
        ("a>1.", "unable to parse requirement: [values[0]: Invalid value: \"1.\": for 'Gt', 'Lt' operators, "
         f"the value must be an integer, {_value_error('a', '1.')}]"),
        # keys
        ("a/b/c", "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name "
         f"{NAME_REGEX_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"),
        ("-a=b", f"unable to parse requirement: <nil>: Invalid value: \"-a\": name part {NAME_REGEX_MSG}"),
        ("!a.", f"unable to parse requirement: <nil>: Invalid value: \"a.\": name part {NAME_REGEX_MSG}"),
        ("/a", "unable to parse requirement: <nil>: Invalid value: \"/a\": prefix part must be non-empty"),
        ("x/", "unable to parse requirement: <nil>: Invalid value: \"x/\": name part must be non-empty; "
         f"name part {NAME_REGEX_MSG}"),
        ("Example.com/a", "unable to parse requirement: <nil>: Invalid value: \"Example.com/a\": "
         f"prefix part {SUBDOMAIN_REGEX_MSG}"),
        ("a" * 64, f"unable to parse requirement: <nil>: Invalid value: \"{'a' * 64}\": "
         "name part must be no more than 63 characters"),
        ("k\"=v", "unable to parse requirement: <nil>: Invalid value: \"k\\\"\": "
         f"name part {NAME_REGEX_MSG}"),
        # values
        ("a=b.", f"unable to parse requirement: {_value_error('a', 'b.')}"),
        ("a in (ok,-bad)", f"unable to parse requirement: {_value_error('a', '-bad')}"),
        ("a in (ok,bad-)", "unable to parse requirement: values[0][a]: Invalid value: \"bad-\": "
         f"{VALUE_REGEX_MSG}"),
        ("a=" + "v" * 64, f"unable to parse requirement: values[0][a]: Invalid value: \"{'v' * 64}\": "
         "must be no more than 63 characters"),
        ("a=" + "v" * 63 + "-", f"unable to parse requirement: values[0][a]: Invalid value: \"{'v' * 63}-\": "
         f"must be no more than 63 characters; {VALUE_REGEX_MSG}"),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(SelectorParseError) as excinfo:
        parse_label_selector(text)
    assert str(excinfo.value) == message


def test_selector_parse_error_is_value_error() -> None:
    with pytest.raises(ValueError):
        parse_label_selector("a b")


def test_value_errors_report_sorted_position() -> None:
    # Kubernetes sorts the set before validating, so indices refer to sorted order.
    with pytest.raises(SelectorParseError) as excinfo:
        parse_label_selector("a in (z,-b)")
    assert str(excinfo.value).startswith('unable to parse requirement: values[0][a]: Invalid value: "-b"')


# ---------------------------------------------------------------- matching


@pytest.mark.parametrize(
    ("text", "labels", "expected"),
    [
        ("a=b", {"a": "b"}, True),
        ("a=b", {"a": "c"}, False),
        ("a=b", {}, False),
        ("a==b", {"a": "b", "x": "y"}, True),
        ("a==b", {"a": "B"}, False),
        ("a!=b", {"a": "c"}, True),
        ("a!=b", {"a": "b"}, False),
        ("a!=b", {}, True),
        ("a=", {"a": ""}, True),
        ("a=", {}, False),
        ("a!=", {}, True),
        ("a!=", {"a": ""}, False),
        ("a in (x,y)", {"a": "y"}, True),
        ("a in (x,y)", {"a": "z"}, False),
        ("a in (x,y)", {}, False),
        ("a in ()", {"a": ""}, True),
        ("a in (x,)", {"a": ""}, True),
        ("a notin (x,y)", {"a": "z"}, True),
        ("a notin (x,y)", {"a": "x"}, False),
        ("a notin (x,y)", {}, True),
        ("a", {"a": ""}, True),
        ("a", {"b": "a"}, False),
        ("!a", {}, True),
        ("!a", {"a": ""}, False),
        ("a>1", {"a": "2"}, True),
        ("a>1", {"a": "1"}, False),
        ("a>1", {"a": "+2"}, True),
        ("a>1", {"a": "002"}, True),
        ("a>1", {"a": "x"}, False),
        ("a>1", {"a": " 2"}, False),
        ("a>1", {"a": "2_0"}, False),
        ("a>1", {"a": "99999999999999999999"}, False),
        ("a>1", {}, False),
        ("a<1", {"a": "0"}, True),
        ("a<1", {"a": "-5"}, True),
        ("a<1", {"a": "1"}, False),
        ("a<1", {}, False),
        ("a>007", {"a": "8"}, True),
        # comma means AND
        ("a=b,c", {"a": "b", "c": "d"}, True),
        ("a=b,c", {"a": "b"}, False),
        ("a=b,!c", {"a": "b"}, True),
        ("a,b,c", {"a": "", "b": "", "c": ""}, True),
        ("a=x,a=y", {"a": "x"}, False),
    ],
)
def test_matches(text: str, labels: dict[str, str], expected: bool) -> None:
    assert parse_label_selector(text).matches(labels) is expected


def test_matches_treats_none_labels_as_empty() -> None:
    assert parse_label_selector("!a").matches(None)
    assert not parse_label_selector("a").matches(None)
    assert parse_label_selector("a!=b").matches(None)


def test_requirement_matches_directly() -> None:
    requirement = Requirement("a", IN, ("x",))
    assert requirement.matches({"a": "x"})
    assert not requirement.matches({"a": "y"})


def test_numeric_requirement_with_unusable_bound_never_matches() -> None:
    # Hand-built (unvalidated) requirements must not crash matching.
    assert not Requirement("a", GREATER_THAN, ("x",)).matches({"a": "5"})
    assert not Requirement("a", GREATER_THAN, ("1", "2")).matches({"a": "5"})


# ---------------------------------------------------------------- new_requirement


def test_new_requirement_normalises_values() -> None:
    assert new_requirement("a", IN, ["y", "x", "y"]) == Requirement("a", IN, ("x", "y"))


@pytest.mark.parametrize(
    ("key", "operator", "values", "message"),
    [
        ("a", IN, (), f"values: Invalid value: []string(nil): {EMPTY_SET_MSG}"),
        ("a", NOT_IN, (), f"values: Invalid value: []string(nil): {EMPTY_SET_MSG}"),
        ("a", EQUALS, ("x", "y"),
         'values: Invalid value: []string{"x", "y"}: exact-match compatibility requires one single value'),
        ("a", NOT_EQUALS, (),
         "values: Invalid value: []string(nil): exact-match compatibility requires one single value"),
        ("a", EXISTS, ("x",),
         'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist'),
        ("a", DOES_NOT_EXIST, ("x",),
         'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist'),
        ("a", GREATER_THAN, ("1", "2"),
         "values: Invalid value: []string{\"1\", \"2\"}: for 'Gt', 'Lt' operators, exactly one value is required"),
        ("a", LESS_THAN, ("x",),
         "values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"),
        ("a", "like", ("x",),
         'operator: Unsupported value: "like": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", '
         '"exists", "!"'),
        ("", EXISTS, (), f'key: Invalid value: "": name part must be non-empty; name part {NAME_REGEX_MSG}'),
        ("-a", IN, (),
         f'[key: Invalid value: "-a": name part {NAME_REGEX_MSG}, '
         "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty]"),
        ("a", IN, ("ok", "x\ty"), f'values[1][a]: Invalid value: "x\\ty": {VALUE_REGEX_MSG}'),
    ],
)
def test_new_requirement_errors(key: str, operator: str, values: tuple[str, ...], message: str) -> None:
    with pytest.raises(SelectorParseError) as excinfo:
        new_requirement(key, operator, values)
    assert str(excinfo.value) == message


# ---------------------------------------------------------------- validation helpers


@pytest.mark.parametrize(
    "key",
    ["a", "A", "1", "a-b_c.d", "a" * 63, "example.com/a", "a.b-c.d/Z_z", "x/" + "a" * 63, ("a" * 63 + ".") * 3 + "a/b"],
)
def test_valid_keys(key: str) -> None:
    assert qualified_name_errors(key) == []


@pytest.mark.parametrize(
    "key", ["", "a" * 64, "-a", "a-", "_a", ".a", "a b", "é", "a/b/c", "/a", "a/", "A/b", "a_b/c", "a/b\n"]
)
def test_invalid_keys(key: str) -> None:
    assert qualified_name_errors(key)


def test_too_long_prefix() -> None:
    prefix = ".".join(["a" * 63] * 4)  # 255 characters
    assert qualified_name_errors(prefix + "/a") == ["prefix part must be no more than 253 characters"]


@pytest.mark.parametrize("value", ["", "a", "A1", "a-b_c.d", "v" * 63, "0"])
def test_valid_values(value: str) -> None:
    assert label_value_errors(value) == []


@pytest.mark.parametrize("value", ["-", "a-", ".a", "a b", "a/b", "v" * 64, "é", "a\n"])
def test_invalid_values(value: str) -> None:
    assert label_value_errors(value)


def test_length_is_counted_in_bytes_like_go() -> None:
    assert label_value_errors("é" * 32)[0] == "must be no more than 63 characters"


# ---------------------------------------------------------------- metav1.LabelSelector objects


def test_nil_object_selects_nothing() -> None:
    selector = selector_from_label_selector_object(None)
    assert selector is NOTHING
    assert not selector.matches({})
    assert not selector.matches({"a": "b"})
    assert not selector.empty()
    assert str(selector) == ""


@pytest.mark.parametrize("obj", [{}, {"matchLabels": {}}, {"matchExpressions": []}, {"matchLabels": None}])
def test_empty_object_selects_everything(obj: dict[str, object]) -> None:
    selector = selector_from_label_selector_object(obj)
    assert selector.empty()
    assert selector.matches({"a": "b"})
    assert selector.matches({})


def test_object_with_labels_and_expressions() -> None:
    selector = selector_from_label_selector_object(
        {
            "matchLabels": {"tier": "web", "app": "shop"},
            "matchExpressions": [
                {"key": "env", "operator": "In", "values": ["prod", "canary"]},
                {"key": "legacy", "operator": "DoesNotExist"},
                {"key": "zone", "operator": "NotIn", "values": ["b"]},
                {"key": "owner", "operator": "Exists", "values": []},
            ],
        }
    )
    assert str(selector) == "app=shop,env in (canary,prod),!legacy,owner,tier=web,zone notin (b)"
    assert selector.matches({"app": "shop", "tier": "web", "env": "prod", "owner": "x"})
    assert not selector.matches({"app": "shop", "tier": "web", "env": "prod", "owner": "x", "legacy": "1"})
    assert not selector.matches({"app": "shop", "tier": "web", "env": "dev", "owner": "x"})
    assert not selector.matches({"app": "shop", "tier": "web", "env": "prod", "owner": "x", "zone": "b"})


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]},
         '"Gt" is not a valid pod selector operator'),
        ({"matchExpressions": [{"key": "a", "operator": "in", "values": ["1"]}]},
         '"in" is not a valid pod selector operator'),
        ({"matchExpressions": [{"key": "a"}]}, '"" is not a valid pod selector operator'),
        ({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]},
         "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"),
        ({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]},
         'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist'),
        ({"matchLabels": {"a": "-x"}}, f'values[0][a]: Invalid value: "-x": {VALUE_REGEX_MSG}'),
        ({"matchLabels": {"a/b/c": "x"}},
         f'key: Invalid value: "a/b/c": a qualified name {NAME_REGEX_MSG} with an optional DNS subdomain '
         "prefix and '/' (e.g. 'example.com/MyName')"),
    ],
)
def test_object_errors(obj: dict[str, object], message: str) -> None:
    with pytest.raises(SelectorParseError) as excinfo:
        selector_from_label_selector_object(obj)
    assert str(excinfo.value) == message


# ---------------------------------------------------------------- requirement string forms


@pytest.mark.parametrize(
    ("requirement", "text"),
    [
        (Requirement("a", EQUALS, ("b",)), "a=b"),
        (Requirement("a", DOUBLE_EQUALS, ("b",)), "a==b"),
        (Requirement("a", NOT_EQUALS, ("b",)), "a!=b"),
        (Requirement("a", IN, ("y", "x")), "a in (x,y)"),
        (Requirement("a", NOT_IN, ("x",)), "a notin (x)"),
        (Requirement("a", EXISTS), "a"),
        (Requirement("a", DOES_NOT_EXIST), "!a"),
        (Requirement("a", GREATER_THAN, ("5",)), "a>5"),
        (Requirement("a", LESS_THAN, ("5",)), "a<5"),
    ],
)
def test_requirement_str(requirement: Requirement, text: str) -> None:
    assert str(requirement) == text
