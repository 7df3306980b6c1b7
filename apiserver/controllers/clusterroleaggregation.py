"""kube-controller-manager's clusterrole-aggregation controller, run on the elected leader: a ClusterRole with an
aggregationRule holds the union of the rules of the ClusterRoles its selectors match (by name order, each rule
once, itself left out), written by server-side apply under the controller's field manager."""
from __future__ import annotations

from apiserver.api.meta.labels import (
    SelectorParseError,
    selector_from_label_selector_object,
)
from apiserver.api.meta.types import Obj
from apiserver.informers.informer import Informer, running
from apiserver.informers.workqueue import WorkQueue, drain
from apiserver.registry.registry import Registry

MANAGER = "clusterrole-aggregation-controller"
_RETRY_SECONDS = 1.0


def aggregated_rules(role: Obj, roles: dict[str, Obj]) -> list[Obj]:
    """The rules `role`'s aggregationRule gathers from `roles` (all ClusterRoles by name)."""
    rules: list[Obj] = []
    for selector in (role.get("aggregationRule") or {}).get("clusterRoleSelectors") or ():
        try:
            matches = selector_from_label_selector_object(selector)
        except SelectorParseError:
            continue
        for name in sorted(roles):
            other = roles[name]
            if name == role["metadata"]["name"] or not matches.matches(other["metadata"].get("labels") or {}):
                continue
            rules += [rule for rule in other.get("rules") or () if rule not in rules]
    return rules


class ClusterRoleAggregator:
    def __init__(self, registry: Registry) -> None:
        self.store = registry.store("rbac.authorization.k8s.io", "v1", "clusterroles")
        self.roles: dict[str, Obj] = {}
        self.queue: WorkQueue[str] = WorkQueue()

    def observe(self, event: str, obj: Obj) -> None:
        name = obj["metadata"]["name"]
        if event == "DELETED":
            self.roles.pop(name, None)
        else:
            self.roles[name] = obj
        # any change may matter to any aggregated role: look at all of them, as kube's controller does
        for role_name, role in self.roles.items():
            if role.get("aggregationRule"):
                self.queue.add(role_name)

    async def run(self) -> None:
        async with running(Informer(self.store, self.observe)):
            await drain(self.queue, self.sync, _RETRY_SECONDS, "clusterrole aggregation")

    async def sync(self, name: str) -> None:
        role = self.roles.get(name)
        if role is None or not role.get("aggregationRule"):
            return
        rules = aggregated_rules(role, self.roles)
        if rules == (role.get("rules") or []):
            return
        config = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": name},
                  "rules": rules}
        await self.store.apply("", name, config, MANAGER, True)
