"""While the replica shuts down, every answer closes its connection, so that clients reconnect through the
load balancer to a replica that stays (the L4 balancer cannot move a kept-alive connection)."""
from __future__ import annotations

import asyncio

from aiohttp import web


def with_shutdown(stopping: asyncio.Event):
    @web.middleware
    async def close_when_stopping(request: web.Request, handler) -> web.StreamResponse:
        response = await handler(request)
        if stopping.is_set() and not response.prepared:
            response.force_close()
        return response

    return close_when_stopping
