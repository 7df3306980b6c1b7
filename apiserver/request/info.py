"""What a request addresses, read once from its method and path (kube's RequestInfo).

Filters (authorization, max-in-flight, timeouts) and the REST handlers all decide from this record,
so routing happens in one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field

_VERB_BY_METHOD = {"POST": "create", "PUT": "update", "PATCH": "patch"}
# subresources of a namespace that are not collections inside it
_NAMESPACE_SUBRESOURCES = {"status", "finalize"}

def flag(value: str) -> bool:
    """kube's query-parameter bool: false only for "0" and "false" (any case); anything else, "" too, is true."""
    return value != "0" and value.lower() != "false"


@dataclass(frozen=True)
class RequestInfo:
    path: str
    verb: str
    is_resource_request: bool = False
    api_prefix: str = ""
    api_group: str = ""
    api_version: str = ""
    namespace: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""
    parts: tuple[str, ...] = field(default_factory=tuple)

    @property
    def long_running(self) -> bool:
        """Watches are exempt from request timeouts and max-in-flight limits."""
        return self.verb == "watch"

    @property
    def mutating(self) -> bool:
        return self.verb in ("create", "update", "patch", "delete", "deletecollection")


def resolve(method: str, path: str, query: dict[str, str]) -> RequestInfo:
    parts = tuple(p for p in path.strip("/").split("/") if p)
    non_resource = RequestInfo(path=path, verb=method.lower())
    if not parts or parts[0] not in ("api", "apis"):
        return non_resource
    prefix, rest = parts[0], list(parts[1:])
    if prefix == "api":
        group = ""
        if not rest:
            return non_resource
        version, rest = rest[0], rest[1:]
    else:
        if len(rest) < 2:
            return non_resource
        group, version, rest = rest[0], rest[1], rest[2:]
    if not rest:
        return RequestInfo(path=path, verb=method.lower(), api_prefix=prefix, api_group=group, api_version=version,
                           parts=parts)

    legacy_watch = rest[0] == "watch"
    if legacy_watch:
        rest = rest[1:]
    namespace = ""
    if rest and rest[0] == "namespaces":
        if len(rest) > 1:
            namespace = rest[1]
            if len(rest) > 2 and rest[2] not in _NAMESPACE_SUBRESOURCES:
                rest = rest[2:]
    if len(rest) > 3:
        # deeper than collection/name/subresource: no resource lives there
        return non_resource
    resource = rest[0] if rest else ""
    name = rest[1] if len(rest) > 1 else ""
    subresource = rest[2] if len(rest) > 2 else ""
    if resource == "namespaces":
        # /api/v1/namespaces/{name}[/status]: the namespace is the object itself
        name, namespace = namespace or name, namespace

    if legacy_watch:
        verb = "watch"
    elif method in ("GET", "HEAD"):
        # as in kube, ?watch turns only a collection read into a watch; a named object stays a get
        verb = "get" if name else ("watch" if "watch" in query and flag(query["watch"]) else "list")
    elif method == "DELETE":
        verb = "delete" if name else "deletecollection"
    else:
        verb = _VERB_BY_METHOD.get(method, method.lower())
    return RequestInfo(path=path, verb=verb, is_resource_request=bool(resource), api_prefix=prefix, api_group=group,
                       api_version=version, namespace=namespace, resource=resource, subresource=subresource,
                       name=name, parts=parts)
