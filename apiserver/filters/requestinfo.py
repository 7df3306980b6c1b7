"""Reads the RequestInfo once and puts it on the request for every later filter and the handler."""
from __future__ import annotations

from aiohttp import web

from apiserver.endpoints.requestinfo import RequestInfo, resolve

REQUEST_INFO = "request_info"


def request_info(request: web.Request) -> RequestInfo:
    return request[REQUEST_INFO]


@web.middleware
async def with_request_info(request: web.Request, handler) -> web.StreamResponse:
    request[REQUEST_INFO] = resolve(request.method, request.path, dict(request.query))
    return await handler(request)
