"""Aggregated ClusterRoles on a real replica: the leader's controller keeps an aggregationRule's role equal to
the union of the rules of the roles its selectors match, and the authorizer follows."""
from __future__ import annotations

import uuid

from tests.integration.rbac_tools import RBAC, binding, create, role, rule, status_of, user
from tests.polling import eventually


async def test_aggregation_follows_the_selected_roles(cluster, ns):
    label = f"example.com/aggregate-{uuid.uuid4().hex[:6]}"
    aggregated = role(f"agg-{ns}", [])
    aggregated["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {label: "true"}}]}
    await create(cluster.admin, f"{RBAC}/clusterroles", aggregated)
    pods = rule(["get", "list"], [""], ["pods"])
    secrets = rule(["list"], [""], ["secrets"])
    await create(cluster.admin, f"{RBAC}/clusterroles", role(f"b-{ns}", [pods, secrets], labels={label: "true"}))
    await create(cluster.admin, f"{RBAC}/clusterroles", role(f"a-{ns}", [pods], labels={label: "true"}))
    await create(cluster.admin, f"{RBAC}/clusterroles", role(f"c-{ns}", [rule(["*"], ["*"], ["*"])]))

    async def rules_are(expected: list[dict]) -> bool:
        _, body = await cluster.admin.get(f"{RBAC}/clusterroles/agg-{ns}")
        return (body.get("rules") or []) == expected

    # by role name, each rule once; the unlabelled role is left out
    await eventually(lambda: rules_are([pods, secrets]), what="the pods and secrets rules aggregated")
    _, body = await cluster.admin.get(f"{RBAC}/clusterroles/agg-{ns}")
    assert any(f["manager"] == "clusterrole-aggregation-controller" for f in body["metadata"]["managedFields"])

    await create(cluster.admin, f"{RBAC}/namespaces/{ns}/rolebindings",
                 binding("agg", "ClusterRole", f"agg-{ns}", [user("bob")], ns))

    async def bob_lists_secrets() -> bool:
        return await status_of(cluster.users["bob"], "GET", f"/api/v1/namespaces/{ns}/secrets") == 200

    await eventually(bob_lists_secrets)
    # the role that brought the secrets rule goes: the aggregate loses it, and bob with it
    status, _ = await cluster.admin.delete(f"{RBAC}/clusterroles/b-{ns}")
    assert status == 200
    await eventually(lambda: rules_are([pods]), what="only the pods rule aggregated")

    async def bob_refused() -> bool:
        return await status_of(cluster.users["bob"], "GET", f"/api/v1/namespaces/{ns}/secrets") == 403

    await eventually(bob_refused)
    assert await status_of(cluster.users["bob"], "GET", f"/api/v1/namespaces/{ns}/pods") == 200
