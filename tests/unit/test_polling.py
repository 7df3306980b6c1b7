"""The tests' polling helper (tests/polling.py)."""
from __future__ import annotations

import itertools

import pytest

from tests.polling import eventually, eventually_sync


async def test_returns_the_first_truthy_value_of_a_coroutine_or_a_plain_check():
    answers = iter([None, 0, {"name": "x"}])

    async def check() -> dict | None:
        return next(answers)

    assert await eventually(check, interval=0) == {"name": "x"}
    counter = itertools.count()
    assert await eventually(lambda: next(counter) >= 2, interval=0) is True


async def test_an_assertion_error_or_a_listed_exception_means_not_yet():
    calls = itertools.count()

    def check() -> str:
        n = next(calls)
        assert n > 0, "first"
        if n == 1:
            raise ConnectionError("second")
        return "third"

    assert await eventually(check, interval=0, retry_on=(ConnectionError,)) == "third"


async def test_any_other_exception_fails_at_once():
    calls = itertools.count()

    def check() -> bool:
        next(calls)
        raise KeyError("boom")

    with pytest.raises(KeyError):
        await eventually(check, timeout=5, interval=0)
    assert next(calls) == 1


async def test_a_timeout_names_what_was_awaited_and_the_last_answer():
    with pytest.raises(AssertionError, match=r"^the thing: not reached within 0.05s; last value: \[\]$"):
        await eventually(lambda: [], timeout=0.05, interval=0.01, what="the thing")

    def failing() -> bool:
        raise AssertionError("still 404")

    with pytest.raises(AssertionError, match=r"^.*failing: not reached within 0.05s; last error: AssertionError"
                                             r"\('still 404.*") as info:
        await eventually(failing, timeout=0.05, interval=0.01)
    assert isinstance(info.value.__cause__, AssertionError)


def test_the_sync_variant_behaves_the_same():
    counter = itertools.count()
    assert eventually_sync(lambda: next(counter) == 3 and "done", interval=0) == "done"
    with pytest.raises(AssertionError, match="^nothing: not reached within 0.05s; last value: False$"):
        eventually_sync(lambda: False, timeout=0.05, interval=0.01, what="nothing")
