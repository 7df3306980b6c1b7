"""The warning recorder: per task, deduplicated, dropped outside a request, quoted as kube quotes them."""
from __future__ import annotations

import asyncio

from apiserver.request.warnings import add_warning, header_value, sent, start_recording


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


def test_header_value_has_no_line_breaks() -> None:
    assert header_value("line 3: key \"a\"\nalready set\r") == '299 - "line 3: key \\"a\\" already set "'


def test_warnings_are_sent_whole_up_to_4096_characters() -> None:
    short = [f"unknown field \"f{i:03d}\"" for i in range(200)]     # 20 characters each: 4000 in all
    assert sent(short) == short


def test_warnings_past_4096_characters_are_cut_as_kube_cuts_them() -> None:
    # the 13th of 318 characters goes over: all 13 again at 256 characters, then 3 more fill 4096, then nothing
    texts = [f"{i:03d}" + "x" * 315 for i in range(3000)]
    assert sent(texts) == [text[:256] for text in texts[:16]]
    # a short one after the cut still needs the total under 4096
    assert sent(["a" * 4000, "b" * 300, "c"]) == ["a" * 256, "b" * 256, "c"]
