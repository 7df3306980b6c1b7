"""Kubernetes resource quantities as k8s.io/apimachinery's resource.Quantity reads, compares and prints them.

Validation compares quantities (a LimitRange's min against its max, a claim's new size against its old one) and
quotes them in kube's canonical form (`1.5Gi` prints as `1536Mi`, `1000m` as `1`); defaulting rounds resource
lists up to milli precision and writes them back canonically, as kube's SetDefaults_ResourceList and JSON
encoding do. Values are exact fractions: Go keeps them exact too (int64 or inf.Dec), rounded to nano precision.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"

_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_BY_EXPONENT = {exponent: suffix for suffix, exponent in _DECIMAL_SUFFIXES.items()}
_BINARY_BY_EXPONENT = {exponent: suffix for suffix, exponent in _BINARY_SUFFIXES.items()}
_SYNTAX = re.compile(r"([+-]?)0*([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)")
_EXPONENT_SUFFIX = re.compile(r"[eE]([-+]?[0-9]+)")
_NANO = Fraction(1, 10**9)
_MILLI = Fraction(1, 1000)
_INT64_MAX = (1 << 63) - 1
# digits an int64 holds for sure: Go's fast path gives up on longer numbers
_MAX_INT64_FACTORS = 18


class QuantityError(ValueError):
    """Not a quantity; kube's decoder refuses such a value before validation runs."""


@dataclass(frozen=True)
class Quantity:
    value: Fraction
    format: str

    def __str__(self) -> str:
        return canonical(self)


@dataclass(frozen=True)
class _Parts:
    negative: bool
    number: str  # the integer digits, leading zeros dropped ("0" when none)
    fraction: str
    suffix: str


def _split(text: str) -> _Parts:
    match = _SYNTAX.fullmatch(text)
    if not text or match is None:
        raise QuantityError(f"quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?"
                            f"[0-9]*)$': {text!r}")
    sign, number, fraction, suffix = match.groups()
    return _Parts(sign == "-", number or "0", fraction or "", suffix)


def _interpret(suffix: str) -> tuple[int, int, str]:
    """(base, exponent, format) of a suffix, as Go's quantitySuffixer reads it."""
    if suffix in _DECIMAL_SUFFIXES:
        return 10, _DECIMAL_SUFFIXES[suffix], DECIMAL_SI
    if suffix in _BINARY_SUFFIXES:
        return 2, _BINARY_SUFFIXES[suffix], BINARY_SI
    match = _EXPONENT_SUFFIX.fullmatch(suffix)
    if match is None:
        raise QuantityError(f"unable to parse quantity's suffix {suffix!r}")
    return 10, int(match.group(1)), DECIMAL_EXPONENT


def _round_away(value: Fraction, step: Fraction) -> Fraction:
    """`value` rounded away from zero to a multiple of `step` (Go's RoundUp and inf.RoundUp)."""
    units = value / step
    whole = units.numerator // units.denominator if units >= 0 else -((-units.numerator) // units.denominator)
    if whole != units:
        whole += 1 if value > 0 else -1
    return whole * step


def parse(value: Any) -> Quantity:
    """A JSON quantity (a string, or a number some clients send) read as ParseQuantity reads it."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise QuantityError(f"{value!r} is not a quantity")
    text = value.strip() if isinstance(value, str) else repr(value)
    parts = _split(text)
    base, exponent, fmt = _interpret(parts.suffix)
    magnitude = Fraction(int(parts.number + parts.fraction) if parts.number + parts.fraction else 0,
                         10 ** len(parts.fraction))
    magnitude *= Fraction(10) ** exponent if base == 10 else Fraction(2) ** exponent
    if magnitude:
        magnitude = _round_away(magnitude, _NANO)
    magnitude = min(magnitude, Fraction(_INT64_MAX))
    if fmt == BINARY_SI and 0 < magnitude < 1:
        fmt = DECIMAL_SI
    return Quantity(-magnitude if parts.negative else magnitude, fmt)


def parses(value: Any) -> bool:
    try:
        parse(value)
    except QuantityError:
        return False
    return True


def round_up_milli(quantity: Quantity) -> Quantity:
    """kube's defaulting of resource lists: values round up (away from zero) to milli precision."""
    return Quantity(_round_away(quantity.value, _MILLI), quantity.format)


def _decimal_parts(value: Fraction) -> tuple[int, int]:
    """(mantissa, exponent) with value == mantissa * 10**exponent, the exponent a multiple of 3 and as large as
    the mantissa allows."""
    exponent = 0
    while value.denominator != 1:
        value *= 10
        exponent -= 1
    mantissa = value.numerator
    while mantissa and mantissa % 10 == 0:
        mantissa //= 10
        exponent += 1
    shift = exponent % 3
    return mantissa * 10**shift, exponent - shift


def canonical(quantity: Quantity) -> str:
    """Go's Quantity.String(): the shortest exact form in the quantity's format."""
    value, fmt = quantity.value, quantity.format
    if value == 0:
        return "0"
    if fmt == BINARY_SI and (-1024 < value < 1024 or value.denominator != 1):
        fmt = DECIMAL_SI
    if fmt == BINARY_SI:
        mantissa, exponent = value.numerator, 0
        while mantissa % 1024 == 0 and exponent < 60:
            mantissa //= 1024
            exponent += 10
        return f"{mantissa}{_BINARY_BY_EXPONENT[exponent]}"
    mantissa, exponent = _decimal_parts(value)
    if fmt == DECIMAL_EXPONENT:
        return f"{mantissa}e{exponent}" if exponent else str(mantissa)
    return f"{mantissa}{_DECIMAL_BY_EXPONENT.get(exponent, '')}"


def canonical_text(value: Any) -> Any:
    """A resource list entry as kube writes it back after defaulting; a value that is no quantity is left for
    the decoder's or validation's error."""
    try:
        return canonical(round_up_milli(parse(value)))
    except QuantityError:
        return value


def ceil_value(quantity: Quantity) -> int:
    """Go's Value(): whole units, rounded away from zero."""
    return int(_round_away(quantity.value, Fraction(1)))


def milli_value(quantity: Quantity) -> int:
    """Go's MilliValue(): thousandths, rounded away from zero."""
    return int(_round_away(quantity.value, _MILLI) * 1000)


def go_struct(text: Any) -> str:
    """`%#v` of the Quantity kube holds for this JSON value after defaulting: the int64 fast path of
    ParseQuantity with its cached string, rounded to milli scale, as Go's fmt prints a struct. A value Go keeps
    as an inf.Dec prints a pointer in kube (an address that differs every time); here a nil one."""
    quantity = round_up_milli(parse(text))
    mantissa, scale, cached = _fast_path(text)
    if mantissa is None:
        mantissa, scale, cached = 0, 0, ""
    elif scale < -3:
        # RoundUp to milli scale rescales the int64 and drops the cached string
        mantissa, scale, cached = int(quantity.value * 1000), -3, ""
    return (f"resource.Quantity{{i:resource.int64Amount{{value:{mantissa}, scale:{scale}}}, "
            f'd:resource.infDecAmount{{Dec:(*inf.Dec)(nil)}}, s:"{cached}", Format:"{quantity.format}"}}')


def _fast_path(value: Any) -> tuple[int | None, int, str]:
    """ParseQuantity's int64 path: (value, scale, cached string), value None when Go takes the inf.Dec path."""
    text = value.strip() if isinstance(value, str) else repr(value)
    if text == "0":
        return 0, 0, "0"
    parts = _split(text)
    _, exponent, fmt = _interpret(parts.suffix)
    multiplier = 1
    if fmt == BINARY_SI:
        if exponent < 0 or parts.fraction:
            return None, 0, ""
        multiplier = 1 << exponent
        precision = 15 - len(parts.number) - int(exponent * 3 / 10) - 1
        scale = 0
    else:
        precision = _MAX_INT64_FACTORS - len(parts.number) - len(parts.fraction)
        scale = exponent
    scale -= len(parts.fraction)
    if precision < 0 or scale < -9:
        return None, 0, ""
    shifted = parts.number + parts.fraction
    number = int(shifted)
    result = number * multiplier
    if result > _INT64_MAX:
        return None, 0, ""
    if fmt == BINARY_SI:
        cache = exponent % 10 == 0 and number & 7 != 0
    else:
        cache = scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"
    return -result if parts.negative else result, scale, text if cache else ""
