"""API errors as Kubernetes `Status` objects.

Every failure that reaches a client is a `StatusError`; the outermost filter turns it into the JSON
`Status` body with the matching HTTP code. The constructors mirror the reasons kube-apiserver uses so
that clients (kubectl prints `Error from server (<reason>): <message>`) behave the same.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from apiserver.api.meta.goformat import aggregate, quote


@dataclass
class Cause:
    reason: str
    message: str
    field: str = ""

    def to_dict(self) -> dict[str, str]:
        out = {"reason": self.reason, "message": self.message}
        if self.field:
            out["field"] = self.field
        return out


@dataclass
class StatusError(Exception):
    code: int
    reason: str
    message: str
    name: str = ""
    group: str = ""
    kind: str = ""
    causes: list[Cause] = field(default_factory=list)
    retry_after_seconds: int = 0

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def to_status(self) -> dict[str, Any]:
        status: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        }
        details: dict[str, Any] = {}
        if self.name:
            details["name"] = self.name
        if self.group:
            details["group"] = self.group
        if self.kind:
            details["kind"] = self.kind
        if self.causes:
            details["causes"] = [c.to_dict() for c in self.causes]
        if self.retry_after_seconds:
            details["retryAfterSeconds"] = self.retry_after_seconds
        if details:
            status["details"] = details
        # kube's member order (metav1.Status's fields): clients compare error texts that quote the body
        status["code"] = self.code
        return status


def qualified_resource(resource: str, group: str) -> str:
    """`configmaps` for the core group, `deployments.apps` otherwise (kube's GroupResource.String)."""
    return f"{resource}.{group}" if group else resource


def not_found(resource: str, group: str, name: str) -> StatusError:
    return StatusError(404, "NotFound", f"{qualified_resource(resource, group)} {quote(name)} not found",
                       name=name, group=group, kind=resource)


def already_exists(resource: str, group: str, name: str) -> StatusError:
    return StatusError(409, "AlreadyExists", f"{qualified_resource(resource, group)} {quote(name)} already exists",
                       name=name, group=group, kind=resource)


def conflict(resource: str, group: str, name: str, why: str) -> StatusError:
    return StatusError(409, "Conflict",
                       f"Operation cannot be fulfilled on {qualified_resource(resource, group)} {quote(name)}: {why}",
                       name=name, group=group, kind=resource)


OBJECT_MODIFIED = "the object has been modified; please apply your changes to the latest version and try again"


def invalid(kind: str, group: str, name: str, causes: list[Cause]) -> StatusError:
    """422 with one cause per bad field, and the message kubectl shows for it (repeats said once)."""
    qualified = f"{kind}.{group}" if group else kind
    message = f"{qualified} {quote(name)} is invalid"
    if causes:
        message += ": " + aggregate(f"{c.field}: {c.message}" if c.field else c.message for c in causes)
    return StatusError(422, "Invalid", message, name=name, group=group, kind=kind, causes=causes)


def forbidden_field(field_path: str, detail: str) -> Cause:
    """kube's field.Forbidden."""
    return Cause("FieldValueForbidden", f"Forbidden: {detail}", field_path)


def too_long(field_path: str, limit: int) -> Cause:
    """kube 1.32's field.TooLong (and TooLongMaxLength, which calls it): the value is never quoted."""
    return Cause("FieldValueTooLong", f"Too long: may not be more than {limit} bytes", field_path)


def unsupported_value(field_path: str, rendered_value: str, supported: tuple[str, ...]) -> Cause:
    """kube's field.NotSupported; `rendered_value` is already in Go's notation (see goformat)."""
    listed = ", ".join(quote(v) for v in supported)
    return Cause("FieldValueNotSupported", f"Unsupported value: {rendered_value}: supported values: {listed}",
                 field_path)


def bad_request(message: str) -> StatusError:
    return StatusError(400, "BadRequest", message)


def unauthorized(message: str = "Unauthorized") -> StatusError:
    return StatusError(401, "Unauthorized", message)


def forbidden(message: str) -> StatusError:
    return StatusError(403, "Forbidden", message)


def method_not_allowed(message: str) -> StatusError:
    return StatusError(405, "MethodNotAllowed", message)


def gone(message: str) -> StatusError:
    return StatusError(410, "Expired", message)


def too_large(message: str) -> StatusError:
    return StatusError(413, "RequestEntityTooLarge", message)


def unsupported_media_type(accepted: Sequence[str]) -> StatusError:
    return StatusError(415, "UnsupportedMediaType", f"the body of the request was in an unknown format - accepted "
                       f"media types include: {', '.join(accepted)}")


def not_acceptable(accepted: Sequence[str]) -> StatusError:
    return StatusError(406, "NotAcceptable", f"only the following media types are accepted: {', '.join(accepted)}")


def too_many_requests(retry_after: int = 1) -> StatusError:
    return StatusError(429, "TooManyRequests", "Too many requests, please try again later.",
                       retry_after_seconds=retry_after)


def internal_error(message: str) -> StatusError:
    return StatusError(500, "InternalError", f"Internal error occurred: {message}")


def service_unavailable(message: str) -> StatusError:
    return StatusError(503, "ServiceUnavailable", message)


def timeout(message: str, retry_after: int = 0) -> StatusError:
    return StatusError(504, "Timeout", message, retry_after_seconds=retry_after)


def forbidden_on(resource: str, group: str, name: str, why: str, causes: list[Cause] | None = None) -> StatusError:
    """403 about one object, worded as kube's NewForbidden: `<resource> "<name>" is forbidden: <why>`."""
    return StatusError(403, "Forbidden", f'{qualified_resource(resource, group)} "{name}" is forbidden: {why}',
                       name=name, group=group, kind=resource, causes=causes or [])
