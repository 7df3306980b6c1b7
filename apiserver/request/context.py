"""The request's context, one record on the aiohttp request, and its accessors.

The record is mutable and shared by the request and its clones (the authentication filter clones the request
to drop credential headers), so a stage that sets a field is seen by every later stage.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from aiohttp import web

from apiserver.request.info import RequestInfo
from apiserver.request.user import UserInfo
from apiserver.request.warnings import start_recording

_KEY = "apiserver.request"
# a client may name the audit ID of its request, as kube allows
AUDIT_ID_HEADER = "Audit-ID"


@dataclass(slots=True)
class RequestContext:
    info: RequestInfo
    audit_id: str
    # who the request acts as: the authenticated user, or the user it impersonates
    user: UserInfo | None = None
    # who authenticated, when that user impersonates another
    impersonator: UserInfo | None = None
    # the event loop's time by which the request must be answered (None: long-running, no deadline)
    deadline: float | None = None
    # warnings any stage recorded for the client (request/warnings.py), sent as Warning headers
    warnings: list[str] = field(default_factory=list)


def begin(request: web.Request, info: RequestInfo) -> RequestContext:
    context = RequestContext(info, request.headers.get(AUDIT_ID_HEADER) or str(uuid.uuid4()),
                             warnings=start_recording())
    request[_KEY] = context
    return context


def context_of(request: web.Request) -> RequestContext:
    return request[_KEY]


def request_info(request: web.Request) -> RequestInfo:
    return request[_KEY].info


def audit_id(request: web.Request) -> str | None:
    """None before the context begins (a request the server refused before reading it)."""
    context = request.get(_KEY)
    return context.audit_id if context is not None else None


def recorded_warnings(request: web.Request) -> list[str]:
    context = request.get(_KEY)
    return context.warnings if context is not None else []


def request_user(request: web.Request) -> UserInfo:
    user = request[_KEY].user
    if user is None:
        raise LookupError("the request has no user: authentication has not run")
    return user


def authenticated_as(request: web.Request, user: UserInfo) -> None:
    request[_KEY].user = user


def impersonating(request: web.Request, user: UserInfo) -> None:
    context = request[_KEY]
    context.impersonator, context.user = context.user, user
