"""Reconciles the default RBAC policy (authz/bootstrappolicy.py, controllerpolicy.py, namespacepolicy.py) once when
each replica starts, as kube's rbac/bootstrap-roles post-start hook does (replicas racing each other lose a
compare-and-swap or a create and try again): a missing role or binding is created;
an existing one is brought up to date only by adding (the rules, aggregation selectors, subjects, labels and
annotations it lacks; a binding whose roleRef changed is recreated) unless its autoupdate annotation is "false",
which leaves it alone. ClusterRoles come first, then ClusterRoleBindings, Roles and RoleBindings; a namespace the
namespaced objects need is created when missing, as kube's hook does."""
from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Callable

from apiserver.api.meta.errors import StatusError
from apiserver.api.meta.types import Obj
from apiserver.authz.bootstrappolicy import (
    AUTOUPDATE,
    cluster_role_bindings,
    cluster_roles,
)
from apiserver.authz.controllerpolicy import controller_role_bindings, controller_roles
from apiserver.authz.namespacepolicy import namespace_role_bindings, namespace_roles
from apiserver.authz.rbac_rules import missing_rules, parse_rules
from apiserver.registry.deletion import DeleteOptions
from apiserver.registry.registry import Registry
from apiserver.registry.store import RegistryStore

log = logging.getLogger(__name__)

_RETRY_SECONDS = 1.0


def _merge_metadata(result: Obj, expected: Obj) -> None:
    """Expected labels and annotations are added; values the object already has win."""
    meta = result["metadata"]
    for key in ("labels", "annotations"):
        merged = {**(expected["metadata"].get(key) or {}), **(meta.get(key) or {})}
        if merged:
            meta[key] = merged


def reconciled_role(existing: Obj, expected: Obj) -> Obj:
    result = copy.deepcopy(existing)
    _merge_metadata(result, expected)
    wanted_aggregation = expected.get("aggregationRule")
    if wanted_aggregation:
        selectors = (result.get("aggregationRule") or {}).get("clusterRoleSelectors") or []
        missing = [s for s in wanted_aggregation["clusterRoleSelectors"] if s not in selectors]
        if missing:
            result["aggregationRule"] = {"clusterRoleSelectors": selectors + missing}
    # the rules of a role aggregated on both sides belong to the aggregation controller
    if not (wanted_aggregation and existing.get("aggregationRule")):
        missing_atoms = missing_rules(parse_rules(existing.get("rules")), parse_rules(expected.get("rules")))
        if missing_atoms:
            result["rules"] = (existing.get("rules") or []) + [rule.to_json() for rule in missing_atoms]
    return result


def reconciled_binding(existing: Obj, expected: Obj) -> Obj:
    result = copy.deepcopy(existing)
    _merge_metadata(result, expected)
    subjects = result.get("subjects") or []
    missing = [s for s in expected.get("subjects") or [] if s not in subjects]
    if missing:
        result["subjects"] = subjects + missing
    return result


def default_policy() -> list[Obj]:
    """Every object of the default policy, in the order kube reconciles them."""
    return (cluster_roles() + controller_roles() + cluster_role_bindings() + controller_role_bindings()
            + namespace_roles() + namespace_role_bindings())


_RECONCILERS: dict[str, tuple[str, Callable[[Obj, Obj], Obj]]] = {
    "ClusterRole": ("clusterroles", reconciled_role), "Role": ("roles", reconciled_role),
    "ClusterRoleBinding": ("clusterrolebindings", reconciled_binding),
    "RoleBinding": ("rolebindings", reconciled_binding),
}


class PolicyReconciler:
    def __init__(self, registry: Registry) -> None:
        self.stores: dict[str, RegistryStore] = {}
        for kind, (plural, _) in _RECONCILERS.items():
            self.stores[kind] = registry.store("rbac.authorization.k8s.io", "v1", plural)
        self.namespaces = registry.namespaces

    async def run(self) -> None:
        """Until the whole policy is reconciled once (etcd away, a racing writer: try again)."""
        while True:
            try:
                await self.reconcile()
                return
            except Exception as exc:
                log.warning("reconciling the default RBAC policy: %s", exc)
                await asyncio.sleep(_RETRY_SECONDS)

    async def reconcile(self) -> None:
        ensured: set[str] = set()
        for expected in default_policy():
            namespace = expected["metadata"].get("namespace", "")
            if namespace and namespace not in ensured:
                await self._ensure_namespace(namespace)
                ensured.add(namespace)
            await self._reconcile(expected)

    async def _ensure_namespace(self, name: str) -> None:
        try:
            await self.namespaces.create("", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        except StatusError as exc:
            if exc.reason != "AlreadyExists":
                raise

    async def _reconcile(self, expected: Obj) -> None:
        kind, meta = expected["kind"], expected["metadata"]
        store, reconcile = self.stores[kind], _RECONCILERS[kind][1]
        namespace, name = meta.get("namespace", ""), meta["name"]
        try:
            existing = await store.get(namespace, name)
        except StatusError as exc:
            if exc.code != 404:
                raise
            await store.create(namespace, copy.deepcopy(expected))
            log.info("created %s %s", kind, name)
            return
        if (existing["metadata"].get("annotations") or {}).get(AUTOUPDATE) == "false":
            return
        if "roleRef" in expected and existing.get("roleRef") != expected["roleRef"]:
            # a binding's roleRef cannot change: kube deletes and creates it again
            await store.delete(namespace, name, DeleteOptions())
            await store.create(namespace, copy.deepcopy(expected))
            return
        result = reconcile(existing, expected)
        if result != existing:
            await store.update(namespace, name, result)
            log.info("reconciled %s %s", kind, name)
