"""Kubernetes label selectors: parsing, validation, matching and canonical form.

Behaves like k8s.io/apimachinery's ``labels.Parse``, ``labels.NewRequirement``,
``Selector.String`` and ``metav1.LabelSelectorAsSelector``, including the
wording of their error messages, because clients such as kubectl show those
messages to users verbatim.  Validation wording follows released
``pkg/util/validation`` ("a qualified name ...", "no more than 63 characters");
apimachinery's newer ``api/validate/content`` package rewords a few of these.

There is no maintained Python library for the Kubernetes selector grammar, so
this module carries a small hand-written lexer and recursive-descent parser.

Grammar accepted by :func:`parse_label_selector` (comma means AND)::

    selector    := "" | requirement ("," requirement)*
    requirement := ["!"] KEY
                 | KEY ("=" | "==" | "!=" | ">" | "<") VALUE
                 | KEY ("in" | "notin") "(" VALUE ("," VALUE)* ")"

Whitespace (space, tab, CR, LF) may surround any token.  VALUE may be empty.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from apiserver.api.meta.goformat import aggregate, byte_len, quote, string_slice


class SelectorParseError(ValueError):
    """A label or field selector could not be parsed or failed validation.

    ``str()`` is the message kube-apiserver would put into its 400 response.
    """


# Operator spellings are those of k8s.io/apimachinery/pkg/selection, so that
# they read the same in error messages as they do in Kubernetes.
EXISTS = "exists"
DOES_NOT_EXIST = "!"
EQUALS = "="
DOUBLE_EQUALS = "=="
NOT_EQUALS = "!="
IN = "in"
NOT_IN = "notin"
GREATER_THAN = "gt"
LESS_THAN = "lt"

# Order matters: Kubernetes lists the operators in exactly this order in its
# "expected: ..." and "supported values: ..." messages.
_BINARY_OPERATORS = (IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN)
_UNARY_OPERATORS = (EXISTS, DOES_NOT_EXIST)
_ALL_OPERATORS = _BINARY_OPERATORS + _UNARY_OPERATORS

# Infix spelling used by the canonical string form.
_INFIX = {
    EQUALS: "=",
    DOUBLE_EQUALS: "==",
    NOT_EQUALS: "!=",
    IN: " in ",
    NOT_IN: " notin ",
    GREATER_THAN: ">",
    LESS_THAN: "<",
}


# --------------------------------------------------------------------------
# Name / value validation (k8s.io/apimachinery/pkg/util/validation)
# --------------------------------------------------------------------------

_QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QUALIFIED_NAME_RE = re.compile(_QUALIFIED_NAME_FMT)
_QUALIFIED_NAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_QUALIFIED_NAME_MAX_LEN = 63

_LABEL_VALUE_FMT = f"({_QUALIFIED_NAME_FMT})?"
_LABEL_VALUE_RE = re.compile(_LABEL_VALUE_FMT)
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, "
    "'-', '_' or '.', and must start and end with an alphanumeric character"
)
_LABEL_VALUE_MAX_LEN = 63

_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT = f"{_DNS1123_LABEL_FMT}(\\.{_DNS1123_LABEL_FMT})*"
_DNS1123_SUBDOMAIN_RE = re.compile(_DNS1123_SUBDOMAIN_FMT)
_DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_MAX_LEN = 253

_EMPTY_MSG = "must be non-empty"


def _max_len_msg(length: int) -> str:
    return f"must be no more than {length} characters"


def _regex_msg(msg: str, fmt: str, *examples: str) -> str:
    shown = " or ".join(f"'{example}', " for example in examples)
    return f"{msg} (e.g. {shown}regex used for validation is '{fmt}')"


def dns1123_subdomain_errors(value: str) -> list[str]:
    """Why ``value`` is not a lowercase RFC 1123 subdomain; empty when it is one."""
    errors: list[str] = []
    if byte_len(value) > _DNS1123_SUBDOMAIN_MAX_LEN:
        errors.append(_max_len_msg(_DNS1123_SUBDOMAIN_MAX_LEN))
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errors.append(_regex_msg(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errors


def qualified_name_errors(value: str) -> list[str]:
    """Why ``value`` is not a qualified name (a valid label key); empty when it is one.

    A qualified name is an optional DNS subdomain prefix and '/', followed by a
    name of at most 63 characters from [A-Za-z0-9-_.] that starts and ends
    alphanumerically.
    """
    errors: list[str] = []
    parts = value.split("/")
    if len(parts) > 2:
        return [
            "a qualified name "
            + _regex_msg(_QUALIFIED_NAME_MSG, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errors.append("prefix part " + _EMPTY_MSG)
        else:
            errors.extend("prefix part " + msg for msg in dns1123_subdomain_errors(prefix))
    if not name:
        errors.append("name part " + _EMPTY_MSG)
    elif byte_len(name) > _QUALIFIED_NAME_MAX_LEN:
        errors.append("name part " + _max_len_msg(_QUALIFIED_NAME_MAX_LEN))
    if not _QUALIFIED_NAME_RE.fullmatch(name):
        errors.append(
            "name part "
            + _regex_msg(_QUALIFIED_NAME_MSG, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
        )
    return errors


def label_value_errors(value: str) -> list[str]:
    """Why ``value`` is not a valid label value; empty when it is one (``""`` is valid)."""
    errors: list[str] = []
    if byte_len(value) > _LABEL_VALUE_MAX_LEN:
        errors.append(_max_len_msg(_LABEL_VALUE_MAX_LEN))
    if not _LABEL_VALUE_RE.fullmatch(value):
        errors.append(_regex_msg(_LABEL_VALUE_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errors


# --------------------------------------------------------------------------
# Go-compatible rendering of error details
# --------------------------------------------------------------------------

def _invalid(path: str, rendered_value: str, detail: str) -> str:
    """A field.Invalid error message; ``rendered_value`` is already Go-formatted."""
    return f"{path}: Invalid value: {rendered_value}: {detail}"


_INT64_RE = re.compile(r"[+-]?[0-9]+")
_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1


def _parse_int64(text: str) -> int | None:
    """Go's strconv.ParseInt(text, 10, 64); None where Go would return an error.

    Python's int() is too lenient here (it accepts whitespace, '_' and
    non-ASCII digits), so the accepted syntax is spelled out explicitly.
    """
    if not _INT64_RE.fullmatch(text):
        return None
    number = int(text)
    if not _INT64_MIN <= number <= _INT64_MAX:
        return None
    return number


# --------------------------------------------------------------------------
# Requirements and selectors
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    """One condition on one label key.

    Build validated instances with :func:`new_requirement` or the parsers;
    ``values`` is then sorted and free of duplicates.
    """

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        if self.operator in (IN, EQUALS, DOUBLE_EQUALS):
            return present and labels[self.key] in self.values
        if self.operator in (NOT_IN, NOT_EQUALS):
            # A missing label is "not equal" to everything.
            return not present or labels[self.key] not in self.values
        if self.operator == EXISTS:
            return present
        if self.operator == DOES_NOT_EXIST:
            return not present
        if self.operator in (GREATER_THAN, LESS_THAN):
            if not present or len(self.values) != 1:
                return False
            actual = _parse_int64(labels[self.key])
            bound = _parse_int64(self.values[0])
            if actual is None or bound is None:
                # Non-numeric label values never satisfy a numeric comparison.
                return False
            return actual > bound if self.operator == GREATER_THAN else actual < bound
        return False

    def __str__(self) -> str:
        if self.operator == EXISTS:
            return self.key
        if self.operator == DOES_NOT_EXIST:
            return "!" + self.key
        joined = ",".join(sorted(self.values))
        if self.operator in (IN, NOT_IN):
            joined = f"({joined})"
        return self.key + _INFIX[self.operator] + joined


def new_requirement(key: str, operator: str, values: Iterable[str] = ()) -> Requirement:
    """Validate and build a requirement, like apimachinery's ``labels.NewRequirement``.

    Raises SelectorParseError listing every problem found (key, operator, value
    count and each value), formatted as Kubernetes formats them.
    """
    given = tuple(values)
    errors: list[str] = []
    key_errors = qualified_name_errors(key)
    if key_errors:
        errors.append(_invalid("key", quote(key), "; ".join(key_errors)))

    if operator in (IN, NOT_IN):
        if not given:
            errors.append(
                _invalid("values", string_slice(given), "for 'in', 'notin' operators, values set can't be empty")
            )
    elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
        if len(given) != 1:
            errors.append(
                _invalid("values", string_slice(given), "exact-match compatibility requires one single value")
            )
    elif operator in (EXISTS, DOES_NOT_EXIST):
        if given:
            errors.append(
                _invalid("values", string_slice(given), "values set must be empty for exists and does not exist")
            )
    elif operator in (GREATER_THAN, LESS_THAN):
        if len(given) != 1:
            errors.append(
                _invalid("values", string_slice(given), "for 'Gt', 'Lt' operators, exactly one value is required")
            )
        for index, value in enumerate(given):
            if _parse_int64(value) is None:
                errors.append(
                    _invalid(
                        f"values[{index}]", quote(value), "for 'Gt', 'Lt' operators, the value must be an integer"
                    )
                )
    else:
        supported = ", ".join(quote(op) for op in _ALL_OPERATORS)
        errors.append(f"operator: Unsupported value: {quote(operator)}: supported values: {supported}")

    for index, value in enumerate(given):
        value_errors = label_value_errors(value)
        if value_errors:
            errors.append(_invalid(f"values[{index}][{key}]", quote(value), "; ".join(value_errors)))

    if errors:
        raise SelectorParseError(aggregate(errors))
    return Requirement(key, operator, tuple(sorted(set(given))))


@dataclass(frozen=True)
class LabelSelector:
    """An AND of requirements, kept sorted by key like Kubernetes keeps them.

    ``nothing=True`` is Kubernetes' ``labels.Nothing()``: it matches no label
    set at all, is not "empty", and prints as "".  It arises from a nil
    ``metav1.LabelSelector`` (see :func:`selector_from_label_selector_object`).
    A selector with no requirements and ``nothing=False`` matches everything.
    """

    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self.nothing:
            return False
        present = labels if labels is not None else {}
        return all(requirement.matches(present) for requirement in self.requirements)

    def empty(self) -> bool:
        """True when the selector does not restrict anything (matches every label set)."""
        return not self.nothing and not self.requirements

    def __str__(self) -> str:
        return ",".join(str(requirement) for requirement in self.requirements)


EVERYTHING = LabelSelector()
NOTHING = LabelSelector(nothing=True)


def _sorted_selector(requirements: Iterable[Requirement]) -> LabelSelector:
    # Kubernetes sorts by key so that equal selectors print identically; a
    # stable sort additionally keeps same-key requirements in input order.
    return LabelSelector(tuple(sorted(requirements, key=lambda requirement: requirement.key)))


# --------------------------------------------------------------------------
# String syntax: lexer and parser
# --------------------------------------------------------------------------


class _Tok(enum.Enum):
    END = enum.auto()
    IDENTIFIER = enum.auto()
    IN = enum.auto()
    NOT_IN = enum.auto()
    BANG = enum.auto()
    EQUALS = enum.auto()
    DOUBLE_EQUALS = enum.auto()
    NOT_EQUALS = enum.auto()
    GREATER_THAN = enum.auto()
    LESS_THAN = enum.auto()
    OPEN_PAREN = enum.auto()
    CLOSE_PAREN = enum.auto()
    COMMA = enum.auto()


_WHITESPACE = frozenset(" \t\r\n")
_SPECIAL = frozenset("=!(),<>")
_SYMBOLS = {
    "==": _Tok.DOUBLE_EQUALS,
    "!=": _Tok.NOT_EQUALS,
    "=": _Tok.EQUALS,
    "!": _Tok.BANG,
    "(": _Tok.OPEN_PAREN,
    ")": _Tok.CLOSE_PAREN,
    ",": _Tok.COMMA,
    ">": _Tok.GREATER_THAN,
    "<": _Tok.LESS_THAN,
}
_KEYWORDS = {"in": _Tok.IN, "notin": _Tok.NOT_IN}
_OPERATOR_TOKENS = {
    _Tok.IN: IN,
    _Tok.NOT_IN: NOT_IN,
    _Tok.EQUALS: EQUALS,
    _Tok.DOUBLE_EQUALS: DOUBLE_EQUALS,
    _Tok.NOT_EQUALS: NOT_EQUALS,
    _Tok.GREATER_THAN: GREATER_THAN,
    _Tok.LESS_THAN: LESS_THAN,
}

_Token = tuple[_Tok, str]


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    end = len(text)
    while True:
        while pos < end and text[pos] in _WHITESPACE:
            pos += 1
        if pos == end:
            tokens.append((_Tok.END, ""))
            return tokens
        if text[pos] in _SPECIAL:
            # Longest match, so "!=" and "==" win over "!" and "=".
            pair = text[pos : pos + 2]
            symbol = pair if pair in _SYMBOLS else text[pos]
            tokens.append((_SYMBOLS[symbol], symbol))
            pos += len(symbol)
            continue
        start = pos
        while pos < end and text[pos] not in _SPECIAL and text[pos] not in _WHITESPACE:
            pos += 1
        word = text[start:pos]
        tokens.append((_KEYWORDS.get(word, _Tok.IDENTIFIER), word))


class _Parser:
    """Recursive descent over the token list, mirroring apimachinery's parser.

    "in" and "notin" are keywords only where an operator is expected; anywhere
    else (keys, values) they are ordinary identifiers, so "in in (in)" is valid.
    """

    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._pos = 0

    @staticmethod
    def _as_word(token: _Token) -> _Token:
        kind, literal = token
        if kind in (_Tok.IN, _Tok.NOT_IN):
            return _Tok.IDENTIFIER, literal
        return token

    def _peek(self) -> _Token:
        return self._as_word(self._tokens[self._pos])

    def _next(self) -> _Token:
        token = self._tokens[self._pos]
        self._pos += 1
        return self._as_word(token)

    def _next_operator(self) -> _Token:
        token = self._tokens[self._pos]
        self._pos += 1
        return token

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            kind, literal = self._peek()
            if kind is _Tok.END:
                return requirements
            if kind not in (_Tok.IDENTIFIER, _Tok.BANG):
                raise SelectorParseError(f"found '{literal}', expected: !, identifier, or 'end of string'")
            try:
                requirements.append(self._requirement())
            except SelectorParseError as err:
                raise SelectorParseError(f"unable to parse requirement: {err}") from None
            kind, literal = self._next()
            if kind is _Tok.END:
                return requirements
            if kind is not _Tok.COMMA:
                raise SelectorParseError(f"found '{literal}', expected: ',' or 'end of string'")
            kind, literal = self._peek()
            if kind not in (_Tok.IDENTIFIER, _Tok.BANG):
                raise SelectorParseError(f"found '{literal}', expected: identifier after ','")

    def _requirement(self) -> Requirement:
        key, operator = self._key_and_implied_operator()
        if operator is not None:
            return new_requirement(key, operator)
        operator = self._operator()
        values = self._value_set() if operator in (IN, NOT_IN) else self._exact_value()
        return new_requirement(key, operator, sorted(values))

    def _key_and_implied_operator(self) -> tuple[str, str | None]:
        """Read ``[!]KEY``; return the unary operator it implies, or None if a binary one follows."""
        operator: str | None = None
        kind, literal = self._next()
        if kind is _Tok.BANG:
            operator = DOES_NOT_EXIST
            kind, literal = self._next()
        if kind is not _Tok.IDENTIFIER:
            raise SelectorParseError(f"found '{literal}', expected: identifier")
        key_errors = qualified_name_errors(literal)
        if key_errors:
            # Kubernetes validates the key here with an unset field path, hence "<nil>".
            raise SelectorParseError(_invalid("<nil>", quote(literal), "; ".join(key_errors)))
        if operator is None and self._peek()[0] in (_Tok.END, _Tok.COMMA):
            operator = EXISTS
        return literal, operator

    def _operator(self) -> str:
        kind, literal = self._next_operator()
        if kind not in _OPERATOR_TOKENS:
            raise SelectorParseError(f"found '{literal}', expected: {', '.join(_BINARY_OPERATORS)}")
        return _OPERATOR_TOKENS[kind]

    def _value_set(self) -> set[str]:
        kind, literal = self._next()
        if kind is not _Tok.OPEN_PAREN:
            raise SelectorParseError(f"found '{literal}' expected: '('")
        kind, literal = self._peek()
        if kind is _Tok.CLOSE_PAREN:
            self._next()
            # "()" is the set holding only the empty value.
            return {""}
        if kind not in (_Tok.IDENTIFIER, _Tok.COMMA):
            raise SelectorParseError(f"found '{literal}', expected: ',', ')' or identifier")
        values = self._identifier_list()
        # _identifier_list only returns when the next token is ")"; consume it.
        self._next()
        return values

    def _identifier_list(self) -> set[str]:
        """Comma-separated values where a missing value between commas means ""."""
        values: set[str] = set()
        while True:
            kind, literal = self._next()
            if kind is _Tok.IDENTIFIER:
                values.add(literal)
                kind, literal = self._peek()
                if kind is _Tok.CLOSE_PAREN:
                    return values
                if kind is not _Tok.COMMA:
                    raise SelectorParseError(f"found '{literal}', expected: ',' or ')'")
            elif kind is _Tok.COMMA:
                # Leading ",", trailing "," and ",," each stand for an empty value.
                if not values:
                    values.add("")
                following = self._peek()[0]
                if following is _Tok.CLOSE_PAREN:
                    values.add("")
                    return values
                if following is _Tok.COMMA:
                    values.add("")
            else:
                raise SelectorParseError(f"found '{literal}', expected: ',', or identifier")

    def _exact_value(self) -> set[str]:
        if self._peek()[0] in (_Tok.END, _Tok.COMMA):
            # "a=" selects the empty value.
            return {""}
        kind, literal = self._next()
        if kind is not _Tok.IDENTIFIER:
            raise SelectorParseError(f"found '{literal}', expected: identifier")
        return {literal}


def parse_label_selector(text: str) -> LabelSelector:
    """Parse a ``?labelSelector=`` string; "" (or only whitespace) selects everything.

    Raises SelectorParseError with Kubernetes' message on malformed input or
    invalid keys/values.
    """
    return _sorted_selector(_Parser(_lex(text)).parse())


_OBJECT_OPERATORS = {
    "In": IN,
    "NotIn": NOT_IN,
    "Exists": EXISTS,
    "DoesNotExist": DOES_NOT_EXIST,
}


def selector_from_label_selector_object(obj: Mapping[str, Any] | None) -> LabelSelector:
    """Convert a ``metav1.LabelSelector`` (``{matchLabels, matchExpressions}``) to a selector.

    Follows ``metav1.LabelSelectorAsSelector``: ``None`` (an absent selector)
    gives :data:`NOTHING`, which matches no object; ``{}`` or a selector whose
    lists are empty gives :data:`EVERYTHING`.  Raises SelectorParseError for
    unknown operators and invalid keys or values.
    """
    if obj is None:
        return NOTHING
    match_labels: Mapping[str, str] = obj.get("matchLabels") or {}
    expressions: list[Mapping[str, Any]] = obj.get("matchExpressions") or []
    if not match_labels and not expressions:
        return EVERYTHING
    requirements: list[Requirement] = []
    # Go iterates the map in random order; sorting makes the first error reported deterministic.
    for key in sorted(match_labels):
        requirements.append(new_requirement(key, EQUALS, (match_labels[key],)))
    for expression in expressions:
        raw_operator = expression.get("operator") or ""
        operator = _OBJECT_OPERATORS.get(raw_operator)
        if operator is None:
            raise SelectorParseError(f"{quote(str(raw_operator))} is not a valid pod selector operator")
        requirements.append(new_requirement(expression.get("key") or "", operator, expression.get("values") or ()))
    return _sorted_selector(requirements)
