"""Waiting for what the tests do not time themselves: watch caches and informers catching up with a write,
controllers and the garbage collector acting, leases expiring, processes coming up.

A check is called until it returns something truthy, which is returned; a falsy value or an AssertionError
(or an exception of `retry_on`) means "not yet". Any other exception fails at once. When `timeout` runs out the
failure names what was awaited and the last value or exception the check gave. The check is always called at
least once, even after a slow call has used the whole timeout.
"""
from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

TIMEOUT = 20.0
INTERVAL = 0.1


class _Attempts:
    """The deadline, and what the check last said, shared by the async and the sync loop."""

    def __init__(self, check: Callable[[], object], timeout: float, what: str | None) -> None:
        self.what = what or getattr(check, "__qualname__", repr(check))
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.last: object = None
        self.error: BaseException | None = None

    def failed(self, error: BaseException) -> None:
        self.error, self.last = error, None

    def answered(self, value: object) -> None:
        self.error, self.last = None, value

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def failure(self) -> AssertionError:
        seen = f"last error: {self.error!r}" if self.error is not None else f"last value: {self.last!r}"
        failure = AssertionError(f"{self.what}: not reached within {self.timeout:g}s; {seen}")
        failure.__cause__ = self.error
        return failure


async def eventually(check: Callable[[], Awaitable[T] | T], *, timeout: float = TIMEOUT,
                     interval: float = INTERVAL, what: str | None = None,
                     retry_on: tuple[type[Exception], ...] = ()) -> T:
    """Awaits `check()` (a coroutine function or a plain function) until its value is truthy; returns it."""
    attempts = _Attempts(check, timeout, what)
    while True:
        try:
            value = check()
            if inspect.isawaitable(value):
                value = await value
        except (AssertionError, *retry_on) as exc:
            attempts.failed(exc)
        else:
            if value:
                return value  # type: ignore[return-value]
            attempts.answered(value)
        if attempts.expired():
            raise attempts.failure()
        await asyncio.sleep(interval)


def eventually_sync(check: Callable[[], T], *, timeout: float = TIMEOUT, interval: float = INTERVAL,
                    what: str | None = None, retry_on: tuple[type[Exception], ...] = ()) -> T:
    """eventually() for tests without an event loop: `check` is a plain function, the wait a time.sleep."""
    attempts = _Attempts(check, timeout, what)
    while True:
        try:
            value = check()
        except (AssertionError, *retry_on) as exc:
            attempts.failed(exc)
        else:
            if value:
                return value
            attempts.answered(value)
        if attempts.expired():
            raise attempts.failure()
        time.sleep(interval)
