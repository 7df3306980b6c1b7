"""Serving the OpenAPI documents as kube-apiserver does: content negotiation on Accept, a quoted ETag with
304 for a matching If-None-Match, and for v3 the `?hash=` URLs of the index (immutable when the hash matches,
a 301 to the current hash when it does not)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from aiohttp import web

from apiserver.api.meta import errors
from apiserver.endpoints import openapi_documents
from apiserver.registry.catalogue import Catalogue

JSON = "application/json"
NOT_FOUND = errors.StatusError(404, "NotFound", "the server could not find the requested resource")


def _accepts_json(accept: str | None) -> bool:
    """Only JSON is served (kube also offers protobuf); a client that cannot take JSON gets 406."""
    for part in (accept or "*/*").split(","):
        kind = part.split(";", 1)[0].strip().lower()
        if kind in (JSON, "application/*", "*/*", ""):
            return True
    return False


def _serve(request: web.Request, document: bytes, headers: dict[str, str] | None = None) -> web.Response:
    if not _accepts_json(request.headers.get("Accept")):
        raise errors.StatusError(406, "NotAcceptable", "only the following media types are accepted: "
                                 "application/json")
    tag = f'"{openapi_documents.etag(document)}"'
    out = {"Etag": tag, "Vary": "Accept", **(headers or {})}
    wanted = request.headers.get("If-None-Match", "")
    if tag in (t.strip() for t in wanted.split(",")) or wanted.strip() == "*":
        return web.Response(status=304, headers=out)
    return web.Response(body=document if request.method != "HEAD" else None, content_type=JSON, headers=out)


def serve(request: web.Request, catalogue: Catalogue, path: str) -> web.Response:
    """`path` is the request path without a trailing slash, starting with /openapi/."""
    if path == "/openapi/v2":
        return _serve(request, openapi_documents.swagger_document(catalogue))
    if path == "/openapi/v3":
        return _serve(request, openapi_documents.index(catalogue))
    parts = path[len("/openapi/v3/"):].split("/") if path.startswith("/openapi/v3/") else []
    if not parts or parts[0] not in ("api", "apis") or len(parts) != (2 if parts[0] == "api" else 3):
        raise NOT_FOUND
    group, version = ("", parts[1]) if parts[0] == "api" else (parts[1], parts[2])
    if not catalogue.resources(group, version):
        raise NOT_FOUND
    document = openapi_documents.group_version_document(catalogue, group, version)
    wanted = request.query.get("hash")
    if not wanted:
        return _serve(request, document)
    current = openapi_documents.etag(document)
    if wanted != current:
        raise web.HTTPMovedPermanently(f"/openapi/v3/{openapi_documents.gv_path(group, version)}?hash={current}")
    expires = format_datetime(datetime.now(UTC) + timedelta(days=365), usegmt=True)
    return _serve(request, document, {"Cache-Control": "public, immutable", "Expires": expires})
