"""Starts the request's context: what it addresses, read once from its method and path, and its audit ID."""
from __future__ import annotations

from aiohttp import web

from apiserver.request.context import audit_id, begin, recorded_warnings
from apiserver.request.info import resolve
from apiserver.request.warnings import header_value, sent


@web.middleware
async def with_request_info(request: web.Request, handler) -> web.StreamResponse:
    begin(request, resolve(request.method, request.path, dict(request.query)))
    return await handler(request)


async def context_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Every answer names its request's audit ID, as kube-apiserver's do, and carries the warnings stages
    recorded (a signal: streams send headers early)."""
    known = audit_id(request)
    if known is not None:
        response.headers["Audit-Id"] = known
    for text in sent(recorded_warnings(request)):
        response.headers.add("Warning", header_value(text))
