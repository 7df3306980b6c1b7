"""Impersonation: `Impersonate-User`, `-Group` (repeatable), `-Uid` and `-Extra-<key>` headers make the request run
as another user, once the authorizer allows the `impersonate` verb on each thing asked for (users, groups,
service accounts, uids, userextras/<key>), as kube-apiserver's impersonation filter does.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from aiohttp import web

from apiserver.api.meta import errors
from apiserver.authz.authorizer import Attributes, UnionAuthorizer
from apiserver.filters.authorization import require_allowed
from apiserver.request.context import impersonating, request_user
from apiserver.request.info import RequestInfo
from apiserver.request.user import ANONYMOUS, AUTHENTICATED, UNAUTHENTICATED, UserInfo

USER_HEADER = "Impersonate-User"
GROUP_HEADER = "Impersonate-Group"
UID_HEADER = "Impersonate-Uid"
EXTRA_PREFIX = "impersonate-extra-"
AUTHENTICATION_VERSION = "authentication.k8s.io/v1"
SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"


@dataclass(frozen=True)
class Target:
    """One thing to impersonate, as kube's ObjectReference for it."""
    kind: str
    name: str
    namespace: str = ""
    api_version: str = ""
    field_path: str = ""

    def go_string(self) -> str:
        # Go's %v of the ObjectReference struct, which kube's error message prints
        return f"{{{self.kind} {self.namespace} {self.name}  {self.api_version}  {self.field_path}}}"

    def resource(self) -> tuple[str, str, str]:
        """(API group, resource, subresource) the `impersonate` verb is checked on."""
        return {"ServiceAccount": ("", "serviceaccounts", ""), "User": ("", "users", ""),
                "Group": ("", "groups", ""), "UID": ("authentication.k8s.io", "uids", ""),
                "UserExtra": ("authentication.k8s.io", "userextras", self.field_path)}[self.kind]


def split_service_account(name: str) -> tuple[str, str] | None:
    if not name.startswith(SERVICE_ACCOUNT_PREFIX):
        return None
    namespace, sep, account = name[len(SERVICE_ACCOUNT_PREFIX):].partition(":")
    if not sep or not namespace or not account or ":" in account:
        return None
    return namespace, account


def requested_targets(request: web.Request) -> list[Target]:
    headers = request.headers
    targets = []
    user = headers.get(USER_HEADER, "")
    if user:
        account = split_service_account(user)
        targets.append(Target("ServiceAccount", account[1], account[0]) if account else Target("User", user))
    groups = headers.getall(GROUP_HEADER, [])
    targets.extend(Target("Group", group) for group in groups)
    extras = [(name, value) for name, value in headers.items() if name.lower().startswith(EXTRA_PREFIX)]
    for name, value in extras:
        key = unquote(name[len(EXTRA_PREFIX):].lower())
        targets.append(Target("UserExtra", value, api_version=AUTHENTICATION_VERSION, field_path=key))
    uid = headers.get(UID_HEADER, "")
    if uid:
        targets.append(Target("UID", uid, api_version=AUTHENTICATION_VERSION))
    if (groups or extras or uid) and not user:
        listed = " ".join(target.go_string() for target in targets)
        raise errors.internal_error(f"requested [{listed}] without impersonating a user")
    return targets


def impersonated_user(targets: list[Target], groups_given: bool) -> UserInfo:
    name, uid, groups = "", "", []
    extra: dict[str, list[str]] = {}
    for target in targets:
        if target.kind == "ServiceAccount":
            name = f"{SERVICE_ACCOUNT_PREFIX}{target.namespace}:{target.name}"
            if not groups_given:
                groups = ["system:serviceaccounts", f"system:serviceaccounts:{target.namespace}"]
        elif target.kind == "User":
            name = target.name
        elif target.kind == "Group":
            groups.append(target.name)
        elif target.kind == "UID":
            uid = target.name
        else:
            extra.setdefault(target.field_path, []).append(target.name)
    if name != ANONYMOUS:
        if AUTHENTICATED not in groups and UNAUTHENTICATED not in groups:
            groups.append(AUTHENTICATED)
    elif UNAUTHENTICATED not in groups:
        groups.append(UNAUTHENTICATED)
    return UserInfo(name=name, uid=uid, groups=tuple(groups),
                     extra={key: tuple(values) for key, values in extra.items()})


def with_impersonation(authorizer: UnionAuthorizer):
    @web.middleware
    async def impersonation(request: web.Request, handler) -> web.StreamResponse:
        targets = requested_targets(request)
        if not targets:
            return await handler(request)
        requester = request_user(request)
        for target in targets:
            group, resource, subresource = target.resource()
            info = RequestInfo(path=request.path, verb="impersonate", is_resource_request=True, api_group=group,
                               namespace=target.namespace, resource=resource, subresource=subresource,
                               name=target.name)
            await require_allowed(authorizer, Attributes(requester, info))
        impersonating(request, impersonated_user(targets, bool(request.headers.getall(GROUP_HEADER, []))))
        return await handler(request)

    return impersonation
