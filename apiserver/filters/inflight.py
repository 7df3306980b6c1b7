"""Counts requests in flight so that a shutdown can wait for them, and limits them like
--max-requests-inflight / --max-mutating-requests-inflight (429 past the limit; watches are exempt)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiohttp import web

from apiserver.api.meta import errors
from apiserver.request.context import request_info


@dataclass
class InFlight:
    max_readonly: int = 400
    max_mutating: int = 200
    readonly: int = 0
    mutating: int = 0
    idle: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.idle.set()

    @property
    def total(self) -> int:
        return self.readonly + self.mutating

    def middleware(self):
        @web.middleware
        async def limit_in_flight(request: web.Request, handler) -> web.StreamResponse:
            info = request_info(request)
            if info.long_running:
                return await handler(request)
            mutating = info.mutating
            current, limit = (self.mutating, self.max_mutating) if mutating else (self.readonly, self.max_readonly)
            if limit and current >= limit:
                raise errors.too_many_requests(1)
            self._add(mutating, 1)
            try:
                return await handler(request)
            finally:
                self._add(mutating, -1)

        return limit_in_flight

    def _add(self, mutating: bool, delta: int) -> None:
        if mutating:
            self.mutating += delta
        else:
            self.readonly += delta
        if self.total:
            self.idle.clear()
        else:
            self.idle.set()
