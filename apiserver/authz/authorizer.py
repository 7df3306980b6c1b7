"""Authorization: attributes of a request, the modes of --authorization-mode, and their ordered union."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol, Sequence, runtime_checkable

from apiserver.api.errors import qualified_resource
from apiserver.api.goformat import quote
from apiserver.authn.user import UserInfo
from apiserver.endpoints.requestinfo import RequestInfo


class Decision(Enum):
    ALLOW = "allow"
    DENY = "deny"
    NO_OPINION = "no-opinion"


@dataclass(frozen=True)
class Attributes:
    user: UserInfo
    info: RequestInfo
    # the request's raw ?fieldSelector=, which the Node mode reads (kubelets list their pods by spec.nodeName)
    field_selector: str = ""


class Authorizer(Protocol):
    async def authorize(self, attributes: Attributes) -> tuple[Decision, str]:
        """May raise AuthorizerError: no opinion, and the reason the mode could not decide."""
        ...


@runtime_checkable
class Background(Protocol):
    """A mode that follows API objects or holds connections: started with the replica, stopped with it."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class AuthorizerError(Exception):
    """A mode could not evaluate the request (a webhook unreachable): it has no opinion, and unless a later mode
    allows, the request fails with 500 rather than 403, as in kube-apiserver."""


class AuthorizationFailed(Exception):
    """No mode allowed and at least one could not evaluate; the message aggregates their errors."""


class AlwaysAllow:
    async def authorize(self, attributes: Attributes) -> tuple[Decision, str]:
        return Decision.ALLOW, ""


class AlwaysDeny:
    async def authorize(self, attributes: Attributes) -> tuple[Decision, str]:
        return Decision.DENY, "Everything is forbidden."


MODES = {"AlwaysAllow": AlwaysAllow, "AlwaysDeny": AlwaysDeny}


class UnionAuthorizer:
    """The first mode that allows or denies wins; when none has an opinion the request is denied."""

    def __init__(self, authorizers: Sequence[Authorizer]) -> None:
        self.authorizers = list(authorizers)

    async def authorize(self, attributes: Attributes) -> tuple[Decision, str]:
        reasons, failures = [], []
        for authorizer in self.authorizers:
            try:
                decision, reason = await authorizer.authorize(attributes)
            except AuthorizerError as exc:
                failures.append(str(exc))
                continue
            if decision is not Decision.NO_OPINION:
                return decision, reason
            if reason:
                reasons.append(reason)
        if failures:
            raise AuthorizationFailed(failures[0] if len(failures) == 1 else f"[{', '.join(failures)}]")
        return Decision.DENY, "; ".join(reasons)

    async def start(self) -> None:
        for authorizer in self.authorizers:
            if isinstance(authorizer, Background):
                await authorizer.start()

    async def stop(self) -> None:
        for authorizer in self.authorizers:
            if isinstance(authorizer, Background):
                await authorizer.stop()


def forbidden_message(attributes: Attributes, reason: str) -> str:
    """kube-apiserver's wording, which kubectl shows verbatim."""
    info, user = attributes.info, attributes.user
    if not info.is_resource_request:
        message = f"forbidden: User {quote(user.name)} cannot {info.verb} path {quote(info.path)}"
    else:
        resource = info.resource + (f"/{info.subresource}" if info.subresource else "")
        # the subject is the group-qualified resource without its subresource, as kube's NewForbidden writes it
        qualified = qualified_resource(info.resource, info.api_group)
        subject = f"{qualified} {quote(info.name)}" if info.name else qualified
        message = (f"{subject} is forbidden: User {quote(user.name)} cannot {info.verb} resource {quote(resource)} "
                   f"in API group {quote(info.api_group)}")
        message += f" in the namespace {quote(info.namespace)}" if info.namespace else " at the cluster scope"
    return f"{message}: {reason}" if reason else message
