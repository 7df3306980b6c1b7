"""Reconciles the default RBAC policy (authz/bootstrappolicy.py) once per election, on the leader, as kube's
rbac/bootstrap-roles post-start hook does: a missing role or binding is created; an existing one is brought up
to date only by adding (the rules, aggregation selectors, subjects, labels and annotations it lacks; a binding
whose roleRef changed is recreated) unless its autoupdate annotation is "false", which leaves it alone."""
from __future__ import annotations

import asyncio
import copy
import logging
from typing import Callable

from apiserver.api.errors import StatusError
from apiserver.authz.bootstrappolicy import AUTOUPDATE, cluster_role_bindings, cluster_roles
from apiserver.authz.rbac_rules import missing_rules, parse_rules
from apiserver.registry.deletion import DeleteOptions
from apiserver.registry.registry import Registry
from apiserver.registry.store import RegistryStore
from apiserver.storage.interface import Obj

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


class PolicyReconciler:
    def __init__(self, registry: Registry) -> None:
        group = "rbac.authorization.k8s.io"
        roles = registry.lookup(group, "v1", "clusterroles")
        bindings = registry.lookup(group, "v1", "clusterrolebindings")
        assert roles is not None and bindings is not None
        self.roles, self.bindings = roles, bindings

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
        for role in cluster_roles():
            await self._reconcile(self.roles, role, reconciled_role)
        for binding in cluster_role_bindings():
            await self._reconcile(self.bindings, binding, reconciled_binding)

    async def _reconcile(self, store: RegistryStore, expected: Obj, reconcile: Callable[[Obj, Obj], Obj]) -> None:
        name = expected["metadata"]["name"]
        try:
            existing = await store.get("", name)
        except StatusError as exc:
            if exc.code != 404:
                raise
            await store.create("", copy.deepcopy(expected))
            log.info("created %s %s", expected["kind"], name)
            return
        if (existing["metadata"].get("annotations") or {}).get(AUTOUPDATE) == "false":
            return
        if "roleRef" in expected and existing.get("roleRef") != expected["roleRef"]:
            # a binding's roleRef cannot change: kube deletes and creates it again
            await store.delete("", name, DeleteOptions())
            await store.create("", copy.deepcopy(expected))
            return
        result = reconcile(existing, expected)
        if result != existing:
            await store.update("", name, result)
            log.info("reconciled %s %s", expected["kind"], name)
