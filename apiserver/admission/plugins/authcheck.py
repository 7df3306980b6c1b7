"""Asking the replica's authorizer whether the requesting user may do something other than the request itself,
as kube's plugins do through their authorizer: an answer and its reason, or the error that kept the modes from
deciding."""
from __future__ import annotations

from dataclasses import dataclass

from apiserver.authz import authorizer
from apiserver.authz.authorizer import AuthorizationFailed, Decision, UnionAuthorizer
from apiserver.request.info import RequestInfo
from apiserver.request.user import UserInfo


@dataclass(frozen=True)
class Answer:
    allowed: bool
    reason: str
    # why no mode could decide (kube's err), or None
    error: str | None = None

    def go_error(self) -> str:
        """The error as Go's %v prints it: <nil> when there is none."""
        return "<nil>" if self.error is None else self.error


async def ask(authz: UnionAuthorizer, user: UserInfo, verb: str, group: str, resource: str, *, name: str = "",
              namespace: str = "", subresource: str = "", version: str = "*") -> Answer:
    info = RequestInfo(path="", verb=verb, is_resource_request=True, api_group=group, api_version=version,
                       namespace=namespace, resource=resource, subresource=subresource, name=name)
    try:
        decision, reason = await authz.authorize(authorizer.Attributes(user, info))
    except AuthorizationFailed as exc:
        return Answer(False, "", str(exc))
    return Answer(decision is Decision.ALLOW, reason)
