"""Authorization: attributes of a request, the modes of --authorization-mode, and their ordered union."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol, TypeVar, runtime_checkable

from apiserver.api.meta.errors import qualified_resource
from apiserver.api.meta.goformat import quote
from apiserver.authz.rbac_rules import Rule
from apiserver.request.info import RequestInfo
from apiserver.request.user import UserInfo

T = TypeVar("T")


SYSTEM_MASTERS = "system:masters"


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


class RuleResolver(Protocol):
    """A mode that can list what a user may do (SelfSubjectRulesReview): its rules and its errors."""
    async def rules_for(self, user: UserInfo, namespace: str) -> tuple[list[Rule], list[str]]: ...


class AlwaysAllow:
    async def authorize(self, attributes: Attributes) -> tuple[Decision, str]:
        return Decision.ALLOW, ""

    async def rules_for(self, user: UserInfo, namespace: str) -> tuple[list[Rule], list[str]]:
        return [Rule(("*",), ("*",), ("*",)), Rule(("*",), non_resource_urls=("*",))], []


class AlwaysDeny:
    async def authorize(self, attributes: Attributes) -> tuple[Decision, str]:
        return Decision.DENY, "Everything is forbidden."

    async def rules_for(self, user: UserInfo, namespace: str) -> tuple[list[Rule], list[str]]:
        return [], []


class PrivilegedGroups:
    """Members of system:masters may do anything, whatever the modes: kube-apiserver puts this in front of them."""

    async def authorize(self, attributes: Attributes) -> tuple[Decision, str]:
        return (Decision.ALLOW, "") if SYSTEM_MASTERS in attributes.user.groups else (Decision.NO_OPINION, "")

    async def rules_for(self, user: UserInfo, namespace: str) -> tuple[list[Rule], list[str]]:
        # kube lists no rules for it: a member of system:masters sees what its RBAC bindings grant
        return [], []


MODES: dict[str, Callable[[], Authorizer]] = {"AlwaysAllow": AlwaysAllow, "AlwaysDeny": AlwaysDeny}


class UnionAuthorizer:
    """The first mode that allows or denies wins; when none has an opinion the request is denied."""

    def __init__(self, authorizers: Sequence[Authorizer]) -> None:
        self.authorizers = list(authorizers)

    async def authorize(self, attributes: Attributes) -> tuple[Decision, str]:
        decision, reason = await self.decide(attributes)
        return (Decision.DENY if decision is Decision.NO_OPINION else decision), reason

    async def decide(self, attributes: Attributes) -> tuple[Decision, str]:
        """The first allow or deny, or no opinion with every mode's reason: what a SubjectAccessReview reports.
        Raises AuthorizationFailed when no mode decided and some could not evaluate."""
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
        return Decision.NO_OPINION, "; ".join(reasons)

    async def start(self) -> None:
        """Starts the modes that follow API objects or hold connections; the others have nothing to start."""
        for authorizer in self.authorizers:
            if isinstance(authorizer, Background):
                await authorizer.start()

    async def stop(self) -> None:
        for authorizer in self.authorizers:
            if isinstance(authorizer, Background):
                await authorizer.stop()

    async def rules_for(self, user: UserInfo, namespace: str) -> tuple[list[Rule], list[str], bool]:
        """Every mode's rules for the user; incomplete (the last value) when a mode cannot list its rules or
        failed to."""
        rules: list[Rule] = []
        failures: list[str] = []
        incomplete = False
        for authorizer in self.authorizers:
            if not hasattr(authorizer, "rules_for"):
                incomplete = True
                continue
            found, errors = await authorizer.rules_for(user, namespace)
            rules += found
            failures += errors
        return rules, failures, incomplete or bool(failures)

    def find(self, kind: type[T]) -> T | None:
        """The member of that type, for the parts of the server that need one mode's own logic."""
        return next((a for a in self.authorizers if isinstance(a, kind)), None)


def forbidden_message(attributes: Attributes, reason: str) -> str:
    """kube-apiserver's wording, which kubectl shows verbatim."""
    info, user = attributes.info, attributes.user
    if not info.is_resource_request:
        # kube's NewForbidden without a resource prefixes "forbidden: "
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
