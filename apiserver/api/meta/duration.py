"""Go ``time.Duration`` text, as used by kube-apiserver flags and the ``timeout`` query parameter.

:func:`parse_go_duration` accepts exactly what Go's ``time.ParseDuration``
accepts (same integer-nanosecond arithmetic, same overflow limits, same error
messages) and :func:`format_go_duration` produces ``Duration.String()``.
Python's standard library has no parser for this format, so it is done by hand.
"""

from __future__ import annotations

_NANOSECOND = 1
_MICROSECOND = 1000 * _NANOSECOND
_MILLISECOND = 1000 * _MICROSECOND
_SECOND = 1000 * _MILLISECOND
_MINUTE = 60 * _SECOND
_HOUR = 60 * _MINUTE

_UNITS = {
    "ns": _NANOSECOND,
    "us": _MICROSECOND,
    "\u00b5s": _MICROSECOND,  # micro sign
    "\u03bcs": _MICROSECOND,  # Greek small letter mu
    "ms": _MILLISECOND,
    "s": _SECOND,
    "m": _MINUTE,
    "h": _HOUR,
}

# Go accumulates in uint64 and rejects anything beyond 1<<63 along the way.
_LIMIT = 1 << 63
_DIGITS = frozenset("0123456789")


def _time_quote(text: str) -> str:
    """Quote like the time package's private quote(): non-ASCII and control bytes become \\xNN."""
    out = ['"']
    for ch in text:
        if ord(ch) >= 0x80 or ch < " ":
            out.extend(f"\\x{byte:02x}" for byte in ch.encode("utf-8", "surrogatepass"))
        else:
            if ch in '"\\':
                out.append("\\")
            out.append(ch)
    out.append('"')
    return "".join(out)


def _invalid(orig: str) -> ValueError:
    return ValueError(f"time: invalid duration {_time_quote(orig)}")


def _leading_int(text: str) -> tuple[int, str] | None:
    """Consume leading ASCII digits; None when the number exceeds 1<<63."""
    value = 0
    index = 0
    while index < len(text) and text[index] in _DIGITS:
        value = value * 10 + int(text[index])
        if value > _LIMIT:
            return None
        index += 1
    return value, text[index:]


def _leading_fraction(text: str) -> tuple[int, float, str]:
    """Consume fraction digits as (numerator, scale, rest).

    Digits beyond int64 precision are consumed but ignored, as Go does, so that
    absurdly long fractions are accepted rather than reported as overflow.
    """
    value = 0
    scale = 1.0
    overflow = False
    index = 0
    while index < len(text) and text[index] in _DIGITS:
        if not overflow:
            candidate = value * 10 + int(text[index])
            if value > (_LIMIT - 1) // 10 or candidate > _LIMIT:
                overflow = True
            else:
                value = candidate
                scale *= 10
        index += 1
    return value, scale, text[index:]


def parse_go_duration_ns(text: str) -> int:
    """Parse a Go duration string into integer nanoseconds (see :func:`parse_go_duration`)."""
    orig = text
    negative = False
    if text[:1] in ("-", "+"):
        negative = text[0] == "-"
        text = text[1:]
    # A bare "0" is the only number allowed without a unit.
    if text == "0":
        return 0
    if not text:
        raise _invalid(orig)
    total = 0
    while text:
        if text[0] != "." and text[0] not in _DIGITS:
            raise _invalid(orig)
        before = len(text)
        leading = _leading_int(text)
        if leading is None:
            raise _invalid(orig)
        whole, text = leading
        has_whole = len(text) != before
        numerator, scale, has_fraction = 0, 1.0, False
        if text.startswith("."):
            text = text[1:]
            before = len(text)
            numerator, scale, text = _leading_fraction(text)
            has_fraction = len(text) != before
        if not has_whole and not has_fraction:
            # "." alone, e.g. ".s"
            raise _invalid(orig)
        unit_end = 0
        while unit_end < len(text) and text[unit_end] != "." and text[unit_end] not in _DIGITS:
            unit_end += 1
        if unit_end == 0:
            raise ValueError(f"time: missing unit in duration {_time_quote(orig)}")
        unit_text, text = text[:unit_end], text[unit_end:]
        unit = _UNITS.get(unit_text)
        if unit is None:
            raise ValueError(f"time: unknown unit {_time_quote(unit_text)} in duration {_time_quote(orig)}")
        if whole > _LIMIT // unit:
            raise _invalid(orig)
        value = whole * unit
        if numerator > 0:
            # Go converts the fraction through float64 and truncates; doing the same
            # keeps results bit-identical (e.g. "1.0000000001h").
            value += int(float(numerator) * (float(unit) / scale))
            if value > _LIMIT:
                raise _invalid(orig)
        total += value
        if total > _LIMIT:
            raise _invalid(orig)
    if negative:
        return -total
    if total > _LIMIT - 1:
        raise _invalid(orig)
    return total


def parse_go_duration(text: str) -> float:
    """Parse a Go duration such as "300ms", "-1.5h", "2h45m" or "0" into seconds.

    Units are ns, us (or µs / μs), ms, s, m and h; a sign may lead; every
    number except a bare "0" needs a unit.  Raises ValueError with Go's message,
    e.g. ``time: invalid duration "x"``.
    """
    return parse_go_duration_ns(text) / _SECOND


def _format_fraction(value: int, precision: int) -> tuple[str, int]:
    """Split ``value`` into (".ddd" without trailing zeros, or "", and value // 10**precision)."""
    divisor = 10**precision
    fraction = value % divisor
    if fraction == 0:
        return "", value // divisor
    return "." + f"{fraction:0{precision}d}".rstrip("0"), value // divisor


def format_go_duration_ns(nanoseconds: int) -> str:
    """Go's ``Duration.String()`` for an integer number of nanoseconds."""
    if nanoseconds == 0:
        return "0s"
    sign = "-" if nanoseconds < 0 else ""
    magnitude = abs(nanoseconds)
    if magnitude < _SECOND:
        # Sub-second durations use the largest unit that keeps a non-zero integer part.
        if magnitude < _MICROSECOND:
            return f"{sign}{magnitude}ns"
        if magnitude < _MILLISECOND:
            fraction, whole = _format_fraction(magnitude, 3)
            return f"{sign}{whole}{fraction}\u00b5s"
        fraction, whole = _format_fraction(magnitude, 6)
        return f"{sign}{whole}{fraction}ms"
    fraction, seconds = _format_fraction(magnitude, 9)
    minutes, seconds = divmod(seconds, 60)
    if minutes == 0:
        return f"{sign}{seconds}{fraction}s"
    hours, minutes = divmod(minutes, 60)
    if hours == 0:
        return f"{sign}{minutes}m{seconds}{fraction}s"
    return f"{sign}{hours}h{minutes}m{seconds}{fraction}s"


def format_go_duration(seconds: float) -> str:
    """Render seconds as Go's ``Duration.String()``: "1m0s", "1h0m0s", "500ms", "1.5µs", "0s".

    The value is rounded to whole nanoseconds first, the resolution of a Go Duration.
    """
    return format_go_duration_ns(round(seconds * _SECOND))
