"""Create-only resources that are never stored: the reviews (TokenReview, SelfSubjectReview, the
SubjectAccessReview family). A catalogue row with `virtual=True` is listed by discovery with only `create`,
gets no store and no watch cache; a POST to its collection is answered by the handler registered here for
its (group, version, plural), which turns the posted object into the answer (status filled in)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from apiserver.api.meta import errors
from apiserver.api.meta.types import Obj
from apiserver.registry.catalogue import ResourceInfo
from apiserver.request.user import UserInfo


@dataclass(frozen=True)
class VirtualRequest:
    user: UserInfo
    namespace: str      # from the URL; empty for cluster-scoped resources
    body: Obj           # the posted object, apiVersion and kind already checked


# returns the answer's fields besides apiVersion/kind/metadata (usually spec and status)
VirtualCreate = Callable[[VirtualRequest], Awaitable[Obj]]


class VirtualResources:
    def __init__(self, handlers: Mapping[tuple[str, str, str], VirtualCreate]) -> None:
        self.handlers = dict(handlers)

    async def create(self, info: ResourceInfo, user: UserInfo, namespace: str, body: Obj) -> Obj:
        handler = self.handlers.get((info.group, info.version, info.plural))
        if handler is None:
            raise errors.StatusError(404, "NotFound", "the server could not find the requested resource")
        kind, api_version = body.get("kind"), body.get("apiVersion")
        if (kind and kind != info.kind) or (api_version and api_version != info.api_version):
            raise errors.bad_request(f"the object provided is unrecognized (must be of type {info.kind}): "
                                     f"{api_version}, Kind={kind}")
        metadata = dict(body.get("metadata") or {})
        if metadata.get("namespace") and not info.namespaced:
            raise errors.bad_request("namespace is not allowed on this type")
        if info.namespaced:
            # as kube's create handler: the URL's namespace fills an empty one and must match a given one
            if metadata.get("namespace", namespace) != namespace:
                raise errors.bad_request("the namespace of the provided object does not match the namespace sent "
                                         "on the request")
            metadata["namespace"] = namespace
        metadata.setdefault("creationTimestamp", None)
        answer = await handler(VirtualRequest(user, namespace, body))
        return {"kind": info.kind, "apiVersion": info.api_version, "metadata": metadata, **answer}
