"""Outermost filter: every failure becomes a Status; a 500 never carries a traceback to the client."""
from __future__ import annotations

import logging

from aiohttp import web

from apiserver.api.meta import errors
from apiserver.filters.status import status_response
from apiserver.storage.cacher import CacheNotReady
from apiserver.storage.etcd_client import EtcdTimeoutError, UnavailableError

log = logging.getLogger("apiserver.recovery")

_HTTP_REASONS = {404: "NotFound", 405: "MethodNotAllowed", 413: "RequestEntityTooLarge", 400: "BadRequest"}


def _from_http(exc: web.HTTPException) -> errors.StatusError:
    reason = _HTTP_REASONS.get(exc.status, "InternalError" if exc.status >= 500 else "BadRequest")
    message = "the server could not find the requested resource" if exc.status == 404 else exc.reason
    return errors.StatusError(exc.status, reason, message)


@web.middleware
async def recovery(request: web.Request, handler) -> web.StreamResponse:
    accept = request.headers.get("Accept")  # a Status answers in the client's media type, as kube's does
    try:
        return await handler(request)
    except errors.StatusError as exc:
        return status_response(exc, accept)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return status_response(_from_http(exc), accept)
    except UnavailableError as exc:
        log.warning("etcd unavailable for %s %s: %s", request.method, request.path, exc)
        return status_response(errors.service_unavailable(f"storage is unavailable: {exc}"), accept)
    except EtcdTimeoutError as exc:
        log.warning("etcd timed out for %s %s: %s", request.method, request.path, exc)
        return status_response(errors.timeout(f"Timeout: request did not complete within the allotted timeout "
                                              f"(storage: {exc})", retry_after=1), accept)
    except CacheNotReady as exc:
        return status_response(errors.StatusError(429, "TooManyRequests", f"Too many requests: {exc}",
                                                  retry_after_seconds=1), accept)
    except ConnectionResetError:
        raise
    except Exception:
        log.exception("internal error serving %s %s", request.method, request.path)
        return status_response(errors.internal_error(
            f"an error on the server prevented the request from succeeding ({request.method} {request.path})"), accept)
