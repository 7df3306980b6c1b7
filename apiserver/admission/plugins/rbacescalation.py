"""RBAC's escalation prevention on the four RBAC resources: a user may write a role only with rules they already
hold (or the `escalate` verb on it), and bind a role only if they hold all of its rules (or the `bind` verb on
it). Members of system:masters may do both. kube checks this in the RBAC registry's storage, before the
object is validated; here it is a step of the admission chain, always on with the RBAC mode, run after every
mutating plugin (so it judges the object as it will be stored) and before validation, as kube answers 403
before 422."""
from __future__ import annotations

import copy

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, operations
from apiserver.admission.plugins.authcheck import ask
from apiserver.api.meta import errors
from apiserver.api.meta.goformat import quote
from apiserver.api.meta.types import Obj
from apiserver.authz.authorizer import (
    SYSTEM_MASTERS,
    UnionAuthorizer,
)
from apiserver.authz.rbac import RBACAuthorizer
from apiserver.authz.rbac_rules import (
    RBAC_GROUP,
    Rule,
    compact,
    go_strings,
    missing_rules,
    parse_rules,
)
from apiserver.request.user import UserInfo

# what an aggregationRule needs, since it can gather any rule: everything (kube's fullAuthority)
FULL_AUTHORITY = (Rule(("*",), ("*",), ("*",)), Rule(("*",), non_resource_urls=("*",)))
ROLE_RESOURCE = {"Role": "roles", "ClusterRole": "clusterroles"}


def _only_gc_fields_changed(new: Obj, old: Obj | None) -> bool:
    """kube lets anyone who may update the object change ownerReferences and finalizers (what the garbage
    collector needs) without the escalation checks."""
    if old is None:
        return False

    def essence(obj: Obj) -> Obj:
        out = copy.deepcopy(obj)
        for key in ("ownerReferences", "finalizers", "managedFields", "resourceVersion"):
            out["metadata"].pop(key, None)
        return out

    return essence(new) == essence(old)


class EscalationCheck(Plugin):
    name = "RBACEscalationPrevention"
    operations = operations(Operation.CREATE, Operation.UPDATE)

    def __init__(self, rbac: RBACAuthorizer, authorizer: UnionAuthorizer) -> None:
        self.rbac = rbac
        self.authorizer = authorizer

    def handles(self, attrs: Attributes) -> bool:
        return super().handles(attrs) and attrs.group == RBAC_GROUP and not attrs.subresource

    async def admit(self, attrs: Attributes) -> None:
        if attrs.resource in ROLE_RESOURCE.values():
            await self.check_role(attrs)
        elif attrs.resource in ("rolebindings", "clusterrolebindings"):
            await self.check_binding(attrs)

    async def _allowed(self, user: UserInfo, verb: str, resource: str, name: str, namespace: str) -> bool:
        # an authorizer that cannot decide allows nothing here, as kube's check reads it
        answer = await ask(self.authorizer, user, verb, RBAC_GROUP, resource, name=name, namespace=namespace)
        return answer.allowed

    async def _escalation(self, user: UserInfo, namespace: str, wanted: tuple[Rule, ...]) -> str | None:
        """kube's ConfirmNoEscalation: None when the user holds every wanted rule, else the refusal text."""
        held, resolution_errors = await self.rbac.rules_for(user, namespace)
        missing = missing_rules(held, wanted)
        if not missing:
            return None
        lines = sorted({rule.compact_string() for rule in compact(missing)})
        message = (f'user {quote(user.name)} (groups={go_strings(user.groups)}) is attempting to grant RBAC '
                   f"permissions not currently held:\n" + "\n".join(lines))
        if resolution_errors:
            message += f"; resolution errors: [{' '.join(resolution_errors)}]"
        return message

    async def check_role(self, attrs: Attributes) -> None:
        user, new, old, namespace = attrs.user, attrs.obj, attrs.old, attrs.namespace
        assert new is not None
        if SYSTEM_MASTERS in user.groups or _only_gc_fields_changed(new, old):
            return
        if await self._allowed(user, "escalate", attrs.resource, attrs.name, namespace):
            return
        name = (new.get("metadata") or {}).get("name", "")
        problem = await self._escalation(user, namespace, parse_rules(new.get("rules")))
        if problem:
            raise errors.forbidden_on(attrs.resource, RBAC_GROUP, name, problem)
        aggregation = new.get("aggregationRule")
        if aggregation and aggregation != (old or {}).get("aggregationRule"):
            if await self._escalation(user, namespace, FULL_AUTHORITY):
                raise errors.forbidden_on(attrs.resource, RBAC_GROUP, name,
                                          "must have cluster-admin privileges to use the aggregationRule")

    async def check_binding(self, attrs: Attributes) -> None:
        user, new, old, namespace = attrs.user, attrs.obj, attrs.old, attrs.namespace
        assert new is not None
        if SYSTEM_MASTERS in user.groups or _only_gc_fields_changed(new, old):
            return
        ref = new.get("roleRef") or {}
        kind, role_name = ref.get("kind", ""), ref.get("name", "")
        name = (new.get("metadata") or {}).get("name", "")
        if kind in ROLE_RESOURCE and await self._allowed(user, "bind", ROLE_RESOURCE[kind], role_name, namespace):
            return
        await self.rbac.wait_synced()
        rules, error = self.rbac.index.role_rules(kind, role_name, namespace)
        if error:
            raise errors.forbidden_on(attrs.resource, RBAC_GROUP, name, error)
        problem = await self._escalation(user, namespace, rules)
        if problem:
            raise errors.forbidden_on(attrs.resource, RBAC_GROUP, name, problem)
