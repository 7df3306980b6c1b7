"""Kubernetes field selectors (``?fieldSelector=``): parsing, matching, canonical form.

Behaves like k8s.io/apimachinery/pkg/fields ``ParseSelector``: terms are
separated by ",", each is ``field=value``, ``field==value`` or ``field!=value``;
a backslash escapes ",", "=" and "\\" inside values.  Field names are not
validated here: which fields a resource supports is decided by the caller,
which answers an unknown one with 400 ``field label not supported: <name>``.

There is no maintained Python library for this syntax, so it is parsed by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from apiserver.api.meta.labels import SelectorParseError

EQUALS = "="
NOT_EQUALS = "!="

# Tried in this order at every position of a term, so that "a==b" is not read
# as field "a", value "=b", and "a!=b" is not read as field "a!".
_TERM_OPERATORS = (("!=", NOT_EQUALS), ("==", EQUALS), ("=", EQUALS))

_ESCAPABLE = frozenset("\\,=")


@dataclass(frozen=True)
class FieldRequirement:
    """``field <operator> value`` where operator is "=" or "!="; ``value`` is unescaped."""

    field: str
    operator: str
    value: str

    def matches(self, fields: Mapping[str, str]) -> bool:
        # Kubernetes treats a field the object does not have as the empty string.
        equal = fields.get(self.field, "") == self.value
        return equal if self.operator == EQUALS else not equal

    def __str__(self) -> str:
        return f"{self.field}{self.operator}{escape_field_value(self.value)}"


@dataclass(frozen=True)
class FieldSelector:
    """An AND of field requirements, ordered by the text of their terms like Kubernetes orders them."""

    requirements: tuple[FieldRequirement, ...] = ()

    def matches(self, fields: Mapping[str, str]) -> bool:
        return all(requirement.matches(fields) for requirement in self.requirements)

    def empty(self) -> bool:
        """True when the selector does not restrict anything."""
        return not self.requirements

    def fields(self) -> set[str]:
        """Every field name the selector mentions (for checking them against a resource)."""
        return {requirement.field for requirement in self.requirements}

    def exact_match(self, field: str) -> str | None:
        """The value ``field`` is pinned to by an "=" term, or None.

        Lets callers narrow a list cheaply, e.g. ``metadata.name=foo`` to a single get.
        """
        for requirement in self.requirements:
            if requirement.field == field and requirement.operator == EQUALS:
                return requirement.value
        return None

    def relabel(self, labels: Mapping[str, str]) -> FieldSelector:
        """The selector with each field renamed as `labels` says (kube's field label conversion of a version
        whose names differ from the stored object's); a field `labels` lacks is not supported."""
        for requirement in self.requirements:
            if requirement.field not in labels:
                raise SelectorParseError(f"field label not supported: {requirement.field}")
        return FieldSelector(tuple(FieldRequirement(labels[r.field], r.operator, r.value) for r in self.requirements))

    def __str__(self) -> str:
        return ",".join(str(requirement) for requirement in self.requirements)


def escape_field_value(value: str) -> str:
    """Escape a value for use in a field selector string ("\\" first, so nothing is escaped twice)."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def _unescape_value(raw: str) -> str:
    if not any(ch in _ESCAPABLE for ch in raw):
        return raw
    out: list[str] = []
    escaped = False
    for ch in raw:
        if escaped:
            if ch not in _ESCAPABLE:
                raise SelectorParseError(f"invalid field selector: invalid escape sequence: \\{ch}")
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in ",=":
            # Kubernetes formats the offending rune with %v, i.e. as its code point number.
            raise SelectorParseError(f"invalid field selector: unescaped character in value: {ord(ch)}")
        else:
            out.append(ch)
    if escaped:
        raise SelectorParseError("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def _split_terms(text: str) -> list[str]:
    """Split on commas that are not escaped; escapes stay in the terms for later unescaping."""
    terms: list[str] = []
    start = 0
    escaped = False
    for index, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ",":
            terms.append(text[start:index])
            start = index + 1
    terms.append(text[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    """(field, operator, raw value) at the first operator found; fields cannot contain escapes."""
    for index in range(len(term)):
        for spelling, operator in _TERM_OPERATORS:
            if term.startswith(spelling, index):
                return term[:index], operator, term[index + len(spelling) :]
    return None


def parse_field_selector(text: str) -> FieldSelector:
    """Parse a ``?fieldSelector=`` string; "" selects everything.

    Whitespace is significant (as in Kubernetes): "a = b" pins field "a " to " b".
    Raises SelectorParseError with Kubernetes' message on malformed input.
    """
    requirements: list[FieldRequirement] = []
    # Kubernetes sorts the raw terms so that equivalent selectors compare and print alike.
    for term in sorted(_split_terms(text)):
        if not term:
            continue
        split = _split_term(term)
        if split is None:
            raise SelectorParseError(f"invalid selector: '{text}'; can't understand '{term}'")
        field, operator, raw_value = split
        requirements.append(FieldRequirement(field, operator, _unescape_value(raw_value)))
    return FieldSelector(tuple(requirements))
