"""Rendering a StatusError as the HTTP answer every filter and handler shares."""
from __future__ import annotations

import orjson
from aiohttp import web

from apiserver.api.errors import StatusError


def status_response(error: StatusError) -> web.Response:
    headers = {}
    if error.retry_after_seconds:
        headers["Retry-After"] = str(error.retry_after_seconds)
    return web.Response(status=error.code, body=orjson.dumps(error.to_status()), content_type="application/json",
                        headers=headers)
