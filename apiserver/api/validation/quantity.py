"""Kubernetes resource quantities as validation needs them: their value, comparison and canonical text.

kube's messages quote quantities in the canonical form `resource.Quantity.String()` gives ("1500m" for "1.5",
"1Gi" for "1024Mi"), so the text a client sent is parsed into an exact decimal and written back the way Go does.
The syntax itself is checked when the body is decoded (schema/typecheck.py).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from typing import Any

_NUMBER = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))(.*)")
_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_NAMES = {exponent: suffix for suffix, exponent in _DECIMAL_SUFFIXES.items()}
_BINARY_NAMES = {exponent // 10: suffix for suffix, exponent in _BINARY_SUFFIXES.items()}
_NANO = Decimal("1e-9")

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    format: str

    def __str__(self) -> str:
        return canonical(self)

    def is_integer(self) -> bool:
        return self.value == self.value.to_integral_value()


def parse(raw: Any) -> Quantity | None:
    """The quantity a JSON value holds (a string, or a number as Go reads one); None when it is not one."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        return None
    match = _NUMBER.fullmatch(str(raw).strip())
    if not match:
        return None
    number, suffix = match.groups()
    with localcontext() as ctx:
        ctx.prec = 200
        if suffix in _DECIMAL_SUFFIXES:
            value, fmt = Decimal(number).scaleb(_DECIMAL_SUFFIXES[suffix]), DECIMAL_SI
        elif suffix in _BINARY_SUFFIXES:
            value, fmt = Decimal(number) * (1 << _BINARY_SUFFIXES[suffix]), BINARY_SI
        elif suffix[:1] in ("e", "E") and re.fullmatch(r"[+-]?\d+", suffix[1:]):
            value, fmt = Decimal(number).scaleb(int(suffix[1:])), DECIMAL_EXPONENT
        else:
            return None
        # Go keeps nine fractional digits at most, rounding away from zero
        if value.as_tuple().exponent < -9:  # type: ignore[operator]
            value = value.quantize(_NANO, rounding=ROUND_FLOOR if value < 0 else ROUND_CEILING)
    return Quantity(value, fmt)


def _decimal_parts(value: Decimal) -> tuple[int, int]:
    """(mantissa, exponent) with value = mantissa * 10**exponent, the exponent a multiple of three."""
    sign, digits, exponent = value.normalize().as_tuple()
    assert isinstance(exponent, int)
    mantissa = int("".join(map(str, digits)) or "0")
    shift = exponent % 3
    mantissa, exponent = mantissa * 10 ** shift, exponent - shift
    return (-mantissa if sign else mantissa), exponent


def canonical(q: Quantity) -> str:
    """Go's Quantity.String(): the shortest exact form in the quantity's own format."""
    if q.value == 0:
        return "0"
    fmt = q.format
    if fmt == BINARY_SI and (abs(q.value) < 1024 or not q.is_integer()):
        fmt = DECIMAL_SI
    if fmt == BINARY_SI:
        amount, power = int(q.value), 0
        while amount % 1024 == 0 and power < max(_BINARY_NAMES):
            amount, power = amount // 1024, power + 1
        return f"{amount}{_BINARY_NAMES[power]}"
    mantissa, exponent = _decimal_parts(q.value)
    if fmt == DECIMAL_SI and exponent in _DECIMAL_NAMES:
        return f"{mantissa}{_DECIMAL_NAMES[exponent]}"
    return f"{mantissa}e{exponent}" if exponent else str(mantissa)


def milli_value(q: Quantity) -> int:
    """Go's MilliValue(): the value in thousandths, rounded up."""
    return math.ceil(q.value * 1000)
