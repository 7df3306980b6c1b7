"""Records apiserver_request_total and apiserver_request_duration_seconds for every request."""
from __future__ import annotations

import time

from aiohttp import web

from apiserver.metrics.registry import Metrics
from apiserver.request.context import request_info


def _scope(info) -> str:
    if not info.is_resource_request:
        return ""
    if info.name:
        return "resource"
    return "namespace" if info.namespace else "cluster"


def with_metrics(metrics: Metrics):
    @web.middleware
    async def measure(request: web.Request, handler) -> web.StreamResponse:
        info = request_info(request)
        started = time.monotonic()
        code = 500
        try:
            response = await handler(request)
            code = response.status
            return response
        finally:
            verb = "WATCH" if info.verb == "watch" else request.method
            labels = (verb, info.api_group, info.api_version, info.resource, info.subresource, _scope(info),
                      "apiserver")
            metrics.requests.labels(*labels, str(code)).inc()
            if info.verb != "watch":
                metrics.latency.labels(*labels).observe(time.monotonic() - started)

    return measure
