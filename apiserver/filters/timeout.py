"""Deadline for every request but watches: --request-timeout, shortened by the `timeout` query parameter."""
from __future__ import annotations

import asyncio

from aiohttp import web

from apiserver.api.meta import errors
from apiserver.api.meta.duration import parse_go_duration
from apiserver.request.context import context_of, request_info


def with_timeout(request_timeout: float):
    @web.middleware
    async def timeout(request: web.Request, handler) -> web.StreamResponse:
        if request_info(request).long_running:
            return await handler(request)
        seconds = request_timeout
        if request.query.get("timeout"):
            try:
                asked = parse_go_duration(request.query["timeout"])
            except ValueError as exc:
                raise errors.bad_request(f"invalid timeout specified in the request URL: {exc}") from None
            if asked > 0:
                seconds = min(seconds, asked)
        context_of(request).deadline = asyncio.get_running_loop().time() + seconds
        try:
            async with asyncio.timeout(seconds):
                return await handler(request)
        except TimeoutError:
            raise errors.timeout("Timeout: request did not complete within requested timeout - context deadline "
                                 "exceeded") from None

    return timeout
