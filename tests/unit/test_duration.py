"""Go duration parsing and formatting, checked against Go's own time package cases."""

from __future__ import annotations

import pytest

from apiserver.api.meta.duration import (
    format_go_duration,
    format_go_duration_ns,
    parse_go_duration,
    parse_go_duration_ns,
)

NS = 1
US = 1000 * NS
MS = 1000 * US
S = 1000 * MS
M = 60 * S
H = 60 * M


@pytest.mark.parametrize(
    ("text", "nanoseconds"),
    [
        # the bare zero, with or without sign
        ("0", 0),
        ("-0", 0),
        ("+0", 0),
        ("0s", 0),
        ("0.0h", 0),
        # simple
        ("5s", 5 * S),
        ("30s", 30 * S),
        ("1478s", 1478 * S),
        ("-5s", -5 * S),
        ("+5s", 5 * S),
        # fractions
        ("5.0s", 5 * S),
        ("5.6s", 5 * S + 600 * MS),
        ("5.s", 5 * S),
        (".5s", 500 * MS),
        ("1.0s", 1 * S),
        ("1.00s", 1 * S),
        ("1.004s", 1 * S + 4 * MS),
        ("1.0040s", 1 * S + 4 * MS),
        ("100.00100s", 100 * S + 1 * MS),
        ("1.5h", 90 * M),
        ("-1.5h", -90 * M),
        # every unit
        ("10ns", 10 * NS),
        ("11us", 11 * US),
        ("12\u00b5s", 12 * US),
        ("12\u03bcs", 12 * US),
        ("13ms", 13 * MS),
        ("300ms", 300 * MS),
        ("14s", 14 * S),
        ("15m", 15 * M),
        ("16h", 16 * H),
        # composites, in any order and with repeats
        ("3h30m", 3 * H + 30 * M),
        ("2h45m", 2 * H + 45 * M),
        ("1m0s", 1 * M),
        ("10.5s4m", 4 * M + 10 * S + 500 * MS),
        ("-2m3.4s", -(2 * M + 3 * S + 400 * MS)),
        ("1h2m3s4ms5us6ns", 1 * H + 2 * M + 3 * S + 4 * MS + 5 * US + 6 * NS),
        ("39h9m14.425s", 39 * H + 9 * M + 14 * S + 425 * MS),
        ("1s1s", 2 * S),
        # large values and precision
        ("52763797000ns", 52763797000 * NS),
        ("0.3333333333333333333h", 20 * M),
        ("9007199254740993ns", (1 << 53) + 1),
        ("9223372036854775807ns", (1 << 63) - 1),
        ("9223372036854775.807us", (1 << 63) - 1),
        ("9223372036s854ms775us807ns", (1 << 63) - 1),
        ("-9223372036854775808ns", -(1 << 63)),
        ("-9223372036854775.808us", -(1 << 63)),
        ("-9223372036s854ms775us808ns", -(1 << 63)),
        ("-2562047h47m16.854775808s", -(1 << 63)),
        # fractions are truncated through float64 exactly as Go does
        ("0.100000000000000000000h", 6 * M),
        ("0.830103483285477580700h", 49 * M + 48 * S + 372539827 * NS),
        ("1.0000000001h", H + 360 * NS),
        ("0.0000000001s", 0),
    ],
)
def test_parse(text: str, nanoseconds: int) -> None:
    assert parse_go_duration_ns(text) == nanoseconds
    assert parse_go_duration(text) == nanoseconds / S


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", 'time: invalid duration ""'),
        ("3", 'time: missing unit in duration "3"'),
        ("00", 'time: missing unit in duration "00"'),
        ("1h5", 'time: missing unit in duration "1h5"'),
        ("1.5.5s", 'time: missing unit in duration "1.5.5s"'),
        ("-", 'time: invalid duration "-"'),
        ("+", 'time: invalid duration "+"'),
        ("--5s", 'time: invalid duration "--5s"'),
        ("s", 'time: invalid duration "s"'),
        (".", 'time: invalid duration "."'),
        ("-.", 'time: invalid duration "-."'),
        (".s", 'time: invalid duration ".s"'),
        ("+.s", 'time: invalid duration "+.s"'),
        ("x", 'time: invalid duration "x"'),
        (" 1s", 'time: invalid duration " 1s"'),
        ("1s.", 'time: invalid duration "1s."'),
        # the unit runs up to the next digit or '.', so a sign in the middle joins it
        ("1h-5m", 'time: unknown unit "h-" in duration "1h-5m"'),
        ("1d", 'time: unknown unit "d" in duration "1d"'),
        ("1s ", 'time: unknown unit "s " in duration "1s "'),
        ("1S", 'time: unknown unit "S" in duration "1S"'),
        ("1e3s", 'time: unknown unit "e" in duration "1e3s"'),
        ("1hour", 'time: unknown unit "hour" in duration "1hour"'),
        ('1"', 'time: unknown unit "\\"" in duration "1\\""'),
        ("1\\", 'time: unknown unit "\\\\" in duration "1\\\\"'),
        # non-ASCII and control characters are shown byte by byte, like Go
        ("\ufffd", 'time: invalid duration "\\xef\\xbf\\xbd"'),
        ("\ufffd hello \ufffd world", 'time: invalid duration "\\xef\\xbf\\xbd hello \\xef\\xbf\\xbd world"'),
        ("1\u00e9", 'time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"'),
        ("\t1s", 'time: invalid duration "\\x091s"'),
        # overflow
        ("9223372036854775808ns", 'time: invalid duration "9223372036854775808ns"'),
        ("9223372036854775.808us", 'time: invalid duration "9223372036854775.808us"'),
        ("9223372036854ms775us808ns", 'time: invalid duration "9223372036854ms775us808ns"'),
        ("-9223372036854775809ns", 'time: invalid duration "-9223372036854775809ns"'),
        ("9223372036854775810ns", 'time: invalid duration "9223372036854775810ns"'),
        ("-9223372036854775810ns", 'time: invalid duration "-9223372036854775810ns"'),
        ("2562048h", 'time: invalid duration "2562048h"'),
        ("99999999999999999999s", 'time: invalid duration "99999999999999999999s"'),
        ("2562047h47m16.854775808s", 'time: invalid duration "2562047h47m16.854775808s"'),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_go_duration(text)
    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    ("nanoseconds", "text"),
    [
        (0, "0s"),
        (1, "1ns"),
        (999, "999ns"),
        (1 * US, "1\u00b5s"),
        (1100, "1.1\u00b5s"),
        (2200 * US, "2.2ms"),
        (500 * MS, "500ms"),
        (3300 * MS, "3.3s"),
        (1 * S, "1s"),
        (59 * S, "59s"),
        (1 * M, "1m0s"),
        (4 * M + 5 * S, "4m5s"),
        (4 * M + 5001 * MS, "4m5.001s"),
        (1 * H, "1h0m0s"),
        (5 * H + 6 * M + 7001 * MS, "5h6m7.001s"),
        (8 * M + 1, "8m0.000000001s"),
        (90 * M, "1h30m0s"),
        (100 * H, "100h0m0s"),
        ((1 << 63) - 1, "2562047h47m16.854775807s"),
        (-(1 << 63), "-2562047h47m16.854775808s"),
        (-1, "-1ns"),
        (-1500 * MS, "-1.5s"),
        (-90 * M, "-1h30m0s"),
    ],
)
def test_format_ns(nanoseconds: int, text: str) -> None:
    assert format_go_duration_ns(nanoseconds) == text
    assert parse_go_duration_ns(text) == nanoseconds


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.0, "0s"),
        (60, "1m0s"),
        (3600, "1h0m0s"),
        (0.5, "500ms"),
        (0.1, "100ms"),
        (1.5e-6, "1.5\u00b5s"),
        (1e-9, "1ns"),
        (1e-10, "0s"),
        (34.2, "34.2s"),
        (-1.5, "-1.5s"),
        (9900, "2h45m0s"),
    ],
)
def test_format_seconds(seconds: float, text: str) -> None:
    assert format_go_duration(seconds) == text


@pytest.mark.parametrize("text", ["300ms", "1.5h", "2h45m", "1m0s", "-1.5h", "0", "1h2m3.5s"])
def test_round_trip_through_seconds(text: str) -> None:
    seconds = parse_go_duration(text)
    assert parse_go_duration(format_go_duration(seconds)) == seconds
