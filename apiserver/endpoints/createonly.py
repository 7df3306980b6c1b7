"""Resources that exist only as a POST answered at once and never stored (kube's reviews): each is one async
callable from (request's user, URL namespace, decoded object) to the answer, served with 201 Created. Any
other verb on them is 405, as kube-apiserver answers for a resource without that verb."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from aiohttp import web

from apiserver.api import errors
from apiserver.authn.user import UserInfo
from apiserver.endpoints import serialization
from apiserver.endpoints.requestinfo import RequestInfo
from apiserver.endpoints.rest import read_body, respond
from apiserver.filters.authentication import request_user

Obj = dict[str, Any]
Review = Callable[[UserInfo, str, Obj], Awaitable[Obj]]


@dataclass(frozen=True)
class CreateOnly:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    review: Review


@dataclass
class CreateOnlyResources:
    resources: dict[tuple[str, str, str], CreateOnly] = field(default_factory=dict)

    def add(self, resource: CreateOnly) -> None:
        self.resources[(resource.group, resource.version, resource.plural)] = resource

    def lookup(self, info: RequestInfo) -> CreateOnly | None:
        return self.resources.get((info.api_group, info.api_version, info.resource))

    async def handle(self, request: web.Request, info: RequestInfo, resource: CreateOnly) -> web.StreamResponse:
        if info.namespace and not resource.namespaced or resource.namespaced and not info.namespace \
                or info.name or info.subresource:
            raise errors.StatusError(404, "NotFound", "the server could not find the requested resource")
        if info.verb != "create":
            raise errors.method_not_allowed("the server does not allow this method on the requested resource")
        obj = serialization.decode_object(request.headers.get("Content-Type"), await read_body(request))
        api_version = f"{resource.group}/{resource.version}" if resource.group else resource.version
        if obj.get("kind", resource.kind) != resource.kind or obj.get("apiVersion", api_version) != api_version:
            raise errors.bad_request(f"the body must be a {resource.kind} of {api_version}")
        obj.update(kind=resource.kind, apiVersion=api_version)
        metadata = obj.setdefault("metadata", {})
        if resource.namespaced:
            # as kube's create handler: the URL's namespace fills an empty one and must match a given one
            if metadata.get("namespace", info.namespace) != info.namespace:
                raise errors.bad_request("the namespace of the provided object does not match the namespace sent "
                                         "on the request")
            metadata["namespace"] = info.namespace
        return respond(request, await resource.review(request_user(request), info.namespace, obj), 201)
