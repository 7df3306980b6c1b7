"""Rendering a StatusError as the HTTP answer every filter and handler shares."""
from __future__ import annotations

from aiohttp import web

from apiserver.api.meta.errors import StatusError
from apiserver.endpoints.serialization import encode_error


def status_response(error: StatusError, accept: str | None = None) -> web.Response:
    """The Status in the media type the client's Accept header asks for (JSON when it asks for none we write)."""
    headers = {}
    if error.retry_after_seconds:
        headers["Retry-After"] = str(error.retry_after_seconds)
    body, content_type = encode_error(error.to_status(), accept)
    return web.Response(status=error.code, body=body, content_type=content_type, headers=headers)
