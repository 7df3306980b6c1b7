"""The RBAC authorizer: Roles, ClusterRoles and their bindings held in memory, fed by informers over the
replica's watch caches, so that no request reads etcd to be authorized.

Bindings are indexed by the user names and groups their subjects name, so a request looks only at the bindings
that name its user or one of its groups (kube-apiserver walks every ClusterRoleBinding instead)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from apiserver.api.meta.goformat import aggregate, quote
from apiserver.api.meta.types import Obj
from apiserver.authz.authorizer import Attributes, Decision
from apiserver.authz.bootstrappolicy import cluster_role_bindings, cluster_roles
from apiserver.authz.controllerpolicy import controller_role_bindings, controller_roles
from apiserver.authz.namespacepolicy import namespace_role_bindings, namespace_roles
from apiserver.authz.rbac_rules import (
    RBAC_GROUP,
    Rule,
    allows,
    parse_rules,
    subject_keys,
    user_keys,
)
from apiserver.informers.informer import Informer
from apiserver.registry.registry import Registry
from apiserver.request.user import UserInfo

DEFAULT_CLUSTER_ROLES = tuple(o["metadata"]["name"] for o in cluster_roles() + controller_roles())
DEFAULT_CLUSTER_ROLE_BINDINGS = tuple(o["metadata"]["name"]
                                      for o in cluster_role_bindings() + controller_role_bindings())
# (namespace, name)
DEFAULT_ROLES = tuple((o["metadata"]["namespace"], o["metadata"]["name"]) for o in namespace_roles())
DEFAULT_ROLE_BINDINGS = tuple((o["metadata"]["namespace"], o["metadata"]["name"]) for o in namespace_role_bindings())


@dataclass(frozen=True)
class Binding:
    kind: str  # RoleBinding or ClusterRoleBinding
    namespace: str
    name: str
    role_kind: str
    role_name: str
    # (index key, subject) for every subject that can match a user
    subjects: tuple[tuple[str, dict[str, Any]], ...]

    @classmethod
    def parse(cls, kind: str, obj: Obj) -> Binding:
        meta, ref = obj["metadata"], obj.get("roleRef") or {}
        namespace = meta.get("namespace", "")
        subjects = tuple((key, s) for s in obj.get("subjects") or () if isinstance(s, dict)
                         and (key := subject_keys(s, namespace)) is not None)
        return cls(kind, namespace, meta["name"], ref.get("kind", ""), ref.get("name", ""), subjects)

    def describe(self, keys: set[str]) -> str:
        """kube's description of the binding and the subject that matched, used in the allow reason."""
        subject = next(s for key, s in self.subjects if key in keys)
        name = subject.get("name", "")
        if subject.get("kind") == "ServiceAccount":
            name += "/" + (subject.get("namespace") or self.namespace)
        binding = self.name + ("/" + self.namespace if self.namespace else "")
        return (f"{self.kind} {quote(binding)} of {self.role_kind} {quote(self.role_name)} to "
                f"{subject.get('kind')} {quote(name)}")


class RBACIndex:
    """The four RBAC resources as the informers last reported them, with bindings indexed by subject."""

    def __init__(self) -> None:
        self.cluster_roles: dict[str, tuple[Rule, ...]] = {}
        self.roles: dict[tuple[str, str], tuple[Rule, ...]] = {}
        self.bindings: dict[tuple[str, str, str], Binding] = {}  # (kind, namespace, name)
        # (namespace or "" for ClusterRoleBindings, subject key) -> binding identities
        self.by_subject: dict[tuple[str, str], set[tuple[str, str, str]]] = {}

    def on_cluster_role(self, event: str, obj: Obj) -> None:
        name = obj["metadata"]["name"]
        if event == "DELETED":
            self.cluster_roles.pop(name, None)
        else:
            self.cluster_roles[name] = parse_rules(obj.get("rules"))

    def on_role(self, event: str, obj: Obj) -> None:
        key = (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        if event == "DELETED":
            self.roles.pop(key, None)
        else:
            self.roles[key] = parse_rules(obj.get("rules"))

    def on_binding(self, kind: str, event: str, obj: Obj) -> None:
        meta = obj["metadata"]
        identity = (kind, meta.get("namespace", ""), meta["name"])
        old = self.bindings.pop(identity, None)
        if old:
            for key, _ in old.subjects:
                self.by_subject.get((old.namespace, key), set()).discard(identity)
        if event != "DELETED":
            binding = Binding.parse(kind, obj)
            self.bindings[identity] = binding
            for key, _ in binding.subjects:
                self.by_subject.setdefault((binding.namespace, key), set()).add(identity)

    def bindings_for(self, keys: list[str], namespace: str) -> list[Binding]:
        """The ClusterRoleBindings, then (with a namespace) the RoleBindings there, naming any of `keys`."""
        found: list[Binding] = []
        for scope in ("", namespace) if namespace else ("",):
            ids: set[tuple[str, str, str]] = set()
            for key in keys:
                ids |= self.by_subject.get((scope, key), set())
            found += [self.bindings[i] for i in sorted(ids)]
        return found

    def role_rules(self, kind: str, name: str, namespace: str) -> tuple[tuple[Rule, ...], str | None]:
        """The rules a roleRef names, or kube's error text when the role is missing."""
        if kind == "ClusterRole":
            rules = self.cluster_roles.get(name)
            return (rules, None) if rules is not None else ((), f"clusterrole.{RBAC_GROUP} {quote(name)} not found")
        if kind == "Role" and namespace:
            rules = self.roles.get((namespace, name))
            return (rules, None) if rules is not None else ((), f"role.{RBAC_GROUP} {quote(name)} not found")
        return (), f"unsupported role reference kind: {quote(kind)}"


class RBACAuthorizer:
    def __init__(self, registry: Registry) -> None:
        self.index = RBACIndex()
        index = self.index
        group = RBAC_GROUP
        self.informers = [
            Informer(registry.store(group, "v1", "clusterroles"), index.on_cluster_role),
            Informer(registry.store(group, "v1", "roles"), index.on_role),
            Informer(registry.store(group, "v1", "clusterrolebindings"),
                     lambda event, obj: index.on_binding("ClusterRoleBinding", event, obj)),
            Informer(registry.store(group, "v1", "rolebindings"),
                     lambda event, obj: index.on_binding("RoleBinding", event, obj)),
        ]
        self._tasks: list[asyncio.Task] = []
        self._defaults_seen = False

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(i.run(), name=f"rbac informer {i.store.info.plural}")
                       for i in self.informers]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def wait_synced(self) -> None:
        for informer in self.informers:
            await informer.synced.wait()

    def missing_defaults(self) -> list[str]:
        """The objects of the default policy not seen yet: until the leader has reconciled them, a replica would
        refuse what the default policy grants (kube's rbac/bootstrap-roles hook ends after all four kinds). Once
        all were seen the answer stays empty, as a finished post-start hook stays finished: an administrator who
        deletes a default object later does not make every replica unready."""
        if self._defaults_seen:
            return []
        index = self.index
        missing = ([f"clusterrole {name}" for name in DEFAULT_CLUSTER_ROLES if name not in index.cluster_roles]
                   + [f"clusterrolebinding {name}" for name in DEFAULT_CLUSTER_ROLE_BINDINGS
                      if ("ClusterRoleBinding", "", name) not in index.bindings]
                   + [f"role {ns}/{name}" for ns, name in DEFAULT_ROLES if (ns, name) not in index.roles]
                   + [f"rolebinding {ns}/{name}" for ns, name in DEFAULT_ROLE_BINDINGS
                      if ("RoleBinding", ns, name) not in index.bindings])
        self._defaults_seen = not missing
        return missing

    async def authorize(self, attributes: Attributes) -> tuple[Decision, str]:
        # until the informers have the current state, a request waits rather than being wrongly refused
        await self.wait_synced()
        info, keys = attributes.info, user_keys(attributes.user)
        errors: list[str] = []
        for binding in self.index.bindings_for(keys, info.namespace):
            rules, error = self.index.role_rules(binding.role_kind, binding.role_name, binding.namespace)
            if error:
                errors.append(error)
            if any(allows(rule, info) for rule in rules):
                return Decision.ALLOW, f"RBAC: allowed by {binding.describe(set(keys))}"
        return Decision.NO_OPINION, f"RBAC: {aggregate(errors)}" if errors else ""

    async def rules_for(self, user: UserInfo, namespace: str) -> tuple[list[Rule], list[str]]:
        """Every rule the user holds in `namespace` (cluster-wide ones included) and the lookup errors met."""
        await self.wait_synced()
        rules: list[Rule] = []
        errors: list[str] = []
        for binding in self.index.bindings_for(user_keys(user), namespace):
            found, error = self.index.role_rules(binding.role_kind, binding.role_name, binding.namespace)
            rules += found
            if error:
                errors.append(error)
        return rules, errors
