"""Deadline for every request but watches: --request-timeout, shortened by the `timeout` query parameter."""
from __future__ import annotations

import asyncio

from aiohttp import web

from apiserver.api import errors
from apiserver.api.duration import parse_go_duration
from apiserver.filters.requestinfo import request_info


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
        try:
            async with asyncio.timeout(seconds):
                return await handler(request)
        except TimeoutError:
            raise errors.timeout("Timeout: request did not complete within requested timeout - context deadline "
                                 "exceeded") from None

    return timeout
