"""The warning recorder: per task, deduplicated, dropped outside a request, quoted as kube quotes them."""
from __future__ import annotations

import asyncio

from apiserver.request.warnings import add_warning, header_value, start_recording


def test_warnings_are_kept_per_task_and_once() -> None:
    async def request(text: str) -> list[str]:
        sink = start_recording()
        add_warning(text)
        await asyncio.sleep(0)
        add_warning(text)
        return sink

    async def both() -> list[list[str]]:
        return list(await asyncio.gather(request("a"), request("b")))

    assert asyncio.run(both()) == [["a"], ["b"]]


def test_warnings_outside_a_request_are_dropped() -> None:
    async def controller() -> None:
        add_warning("nobody hears this")

    asyncio.run(controller())


def test_header_value_quotes_as_kube() -> None:
    assert header_value('spec.x: "y" is deprecated') == '299 - "spec.x: \\"y\\" is deprecated"'
