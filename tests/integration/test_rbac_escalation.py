"""Escalation prevention on a real replica: roles with rules the writer does not hold and bindings to roles the
writer does not fully hold are refused with kube's message, unless the writer may `escalate` or `bind`."""
from __future__ import annotations

import uuid

import orjson

from tests.integration.conftest import configmap
from tests.integration.rbac_tools import RBAC, binding, create, grant, role, rule, status_of, user
from tests.polling import eventually

RBAC_GROUP = ["rbac.authorization.k8s.io"]
WRITE_RBAC = rule(["get", "create", "update", "patch"], RBAC_GROUP, ["roles", "rolebindings"])


async def grant_and_wait(cluster, ns: str, who: str, rules: list[dict]) -> None:
    """Binds `rules` to `who`; all of them include reading roles, so the grant is waited for by doing that."""
    name = await grant(cluster, ns, user(who), rules)

    async def visible() -> bool:
        return await status_of(cluster.users[who], "GET", f"{RBAC}/namespaces/{ns}/roles/{name}") == 200

    await eventually(visible)


async def post_binding(client, path: str, body: dict) -> tuple[int, dict]:
    """The escalation check reads the bound role from the watch cache, as kube's reads it from its informer, so
    a role created a moment ago may not be there yet: retry while the answer is that it does not exist."""
    async def role_seen() -> tuple[int, dict]:
        status, answer = await client.post(path, body)
        assert not (status == 403 and answer.get("message", "").endswith("not found")), answer
        return status, answer

    return await eventually(role_seen, what=f"the role bound by {body['metadata']['name']} seen")


async def test_role_with_rules_not_held_is_refused(cluster, ns):
    bob = cluster.users["bob"]
    await grant_and_wait(cluster, ns, "bob", [WRITE_RBAC, rule(["get", "list"], [""], ["configmaps"])])
    # rules bob holds: fine
    status, body = await bob.post(f"{RBAC}/namespaces/{ns}/roles",
                                  role("reader", [rule(["get"], [""], ["configmaps"])], ns))
    assert status == 201, body
    status, body = await bob.post(f"{RBAC}/namespaces/{ns}/roles", role("writer", [
        rule(["get", "create", "delete"], [""], ["configmaps", "pods"])], ns))
    assert status == 403 and body["reason"] == "Forbidden", body
    assert body["details"] == {"name": "writer", "group": "rbac.authorization.k8s.io", "kind": "roles"}
    assert body["message"] == (
        'roles.rbac.authorization.k8s.io "writer" is forbidden: user "bob" (groups=["system:authenticated"]) is '
        'attempting to grant RBAC permissions not currently held:\n'
        '{APIGroups:[""], Resources:["configmaps"], Verbs:["create" "delete"]}\n'
        '{APIGroups:[""], Resources:["pods"], Verbs:["get" "create" "delete"]}')
    # an update that widens a role is refused the same way
    status, current = await bob.get(f"{RBAC}/namespaces/{ns}/roles/reader")
    current["rules"] = [rule(["get", "list", "watch"], [""], ["configmaps"])]
    status, body = await bob.put(f"{RBAC}/namespaces/{ns}/roles/reader", current)
    assert status == 403 and 'Verbs:["watch"]' in body["message"], body
    # and so are a patch and a server-side apply that would
    status, body = await bob.request("PATCH", f"{RBAC}/namespaces/{ns}/roles/reader",
                                     data=b'{"rules":[{"verbs":["delete"],"apiGroups":[""],"resources":["configmaps"]}]}',
                                     headers={"Content-Type": "application/merge-patch+json"})
    assert status == 403 and 'Verbs:["delete"]' in body["message"], body
    status, body = await bob.request(
        "PATCH", f"{RBAC}/namespaces/{ns}/roles/applied", params={"fieldManager": "bob"},
        data=b'{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"applied"},'
             b'"rules":[{"verbs":["list"],"apiGroups":[""],"resources":["secrets"]}]}',
        headers={"Content-Type": "application/apply-patch+yaml"})
    assert status == 403 and 'Resources:["secrets"]' in body["message"], body
    # on a role granting more than bob holds, changing only what the garbage collector owns needs no check;
    # any other change does. The owner exists, or the collector could delete the role before the second patch.
    await create(cluster.admin, f"{RBAC}/namespaces/{ns}/roles", role("wide", [rule(["list"], [""], ["secrets"])], ns))
    owner = await create(cluster.admin, f"/api/v1/namespaces/{ns}/configmaps", configmap("o"))
    owned = {"metadata": {"ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "o",
                                               "uid": owner["metadata"]["uid"]}]}}
    for patch, expected in ((orjson.dumps(owned), 200), (b'{"metadata":{"labels":{"team":"bob"}}}', 403)):
        status, body = await bob.request("PATCH", f"{RBAC}/namespaces/{ns}/roles/wide", data=patch,
                                         headers={"Content-Type": "application/merge-patch+json"})
        assert status == expected, body


async def test_escalate_verb_allows_any_rules(cluster, ns):
    carol = cluster.users["carol"]
    await grant_and_wait(cluster, ns, "carol", [WRITE_RBAC, rule(["escalate"], RBAC_GROUP, ["roles"])])
    status, body = await carol.post(f"{RBAC}/namespaces/{ns}/roles",
                                     role("big", [rule(["*"], ["*"], ["*"])], ns))
    assert status == 201, body


async def test_binding_needs_the_role_held_or_bind(cluster, ns):
    dave = cluster.users["dave"]
    await grant_and_wait(cluster, ns, "dave", [WRITE_RBAC, rule(["list"], [""], ["pods"])])
    await create(cluster.admin, f"{RBAC}/namespaces/{ns}/roles",
                 role("pod-lister", [rule(["list"], [""], ["pods"])], ns))
    await create(cluster.admin, f"{RBAC}/clusterroles", role(f"secrets-{ns}", [rule(["get"], [""], ["secrets"])]))
    # a role whose every rule dave holds may be bound to anyone
    status, body = await post_binding(dave, f"{RBAC}/namespaces/{ns}/rolebindings",
                                      binding("ok", "Role", "pod-lister", [user("bob")], ns))
    assert status == 201, body
    status, body = await post_binding(dave, f"{RBAC}/namespaces/{ns}/rolebindings",
                                      binding("too-much", "ClusterRole", f"secrets-{ns}", [user("dave")], ns))
    assert status == 403, body
    assert body["message"] == (
        'rolebindings.rbac.authorization.k8s.io "too-much" is forbidden: user "dave" (groups=["system:authenticated"]) '
        'is attempting to grant RBAC permissions not currently held:\n'
        '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}')
    status, body = await dave.post(f"{RBAC}/namespaces/{ns}/rolebindings",
                                   binding("dangling", "Role", "absent", [user("dave")], ns))
    assert status == 403
    assert body["message"] == ('rolebindings.rbac.authorization.k8s.io "dangling" is forbidden: '
                               'role.rbac.authorization.k8s.io "absent" not found')
    # `bind` on that one ClusterRole lifts the check for it, and only for it; dave could read roles before, so
    # the refusal going away is what shows the informer has the new grant
    await grant(cluster, ns, user("dave"), [WRITE_RBAC, rule(["bind"], RBAC_GROUP, ["clusterroles"],
                                                             names=[f"secrets-{ns}"])])

    async def bound() -> bool:
        status, body = await dave.post(f"{RBAC}/namespaces/{ns}/rolebindings",
                                       binding("too-much", "ClusterRole", f"secrets-{ns}", [user("dave")], ns))
        assert status == 201, body
        return True

    await eventually(bound)
    await create(cluster.admin, f"{RBAC}/namespaces/{ns}/roles", role("all", [rule(["*"], ["*"], ["*"])], ns))
    status, body = await post_binding(dave, f"{RBAC}/namespaces/{ns}/rolebindings",
                                      binding("all", "Role", "all", [user("dave")], ns))
    assert status == 403 and "not currently held" in body["message"], body


async def test_cluster_role_binding_and_aggregation_rule_need_full_rights(cluster):
    name = f"crb-{uuid.uuid4().hex[:6]}"
    await create(cluster.admin, f"{RBAC}/clusterroles", role(name, [
        rule(["create", "get"], RBAC_GROUP, ["clusterroles", "clusterrolebindings"]), rule(["get"], [""], ["nodes"])]))
    await create(cluster.admin, f"{RBAC}/clusterrolebindings", binding(name, "ClusterRole", name, [user("carol")]))
    carol = cluster.users["carol"]

    async def granted() -> bool:
        return await status_of(carol, "GET", f"{RBAC}/clusterroles/{name}") == 200

    await eventually(granted)
    status, body = await carol.post(f"{RBAC}/clusterroles", role(f"{name}-nodes", [rule(["get"], [""], ["nodes"])]))
    assert status == 201, body
    aggregated = role(f"{name}-agg", [])
    aggregated["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {"x": "y"}}]}
    status, body = await carol.post(f"{RBAC}/clusterroles", aggregated)
    assert status == 403
    assert body["message"] == (f'clusterroles.rbac.authorization.k8s.io "{name}-agg" is forbidden: must have '
                               f'cluster-admin privileges to use the aggregationRule')

    status, body = await post_binding(carol, f"{RBAC}/clusterrolebindings",
                                      binding(f"{name}-b", "ClusterRole", f"{name}-nodes", [user("bob")]))
    assert status == 201, body
    await create(cluster.admin, f"{RBAC}/clusterroles", role(f"{name}-all", [rule(["*"], ["*"], ["*"])]))
    status, body = await post_binding(carol, f"{RBAC}/clusterrolebindings",
                                      binding(f"{name}-admin", "ClusterRole", f"{name}-all", [user("carol")]))
    assert status == 403 and "not currently held" in body["message"], body


async def test_escalation_is_refused_before_validation(cluster, ns):
    """kube checks escalation before it validates a role: an invalid role with rules the writer does not hold is
    403, not 422; the same invalid role from a writer who holds its rules is 422."""
    bob = cluster.users["bob"]
    await grant_and_wait(cluster, ns, "bob", [WRITE_RBAC])
    invalid = role("invalid", [rule(["get"], [""], ["secrets"]), rule([], [""], ["pods"])], ns)
    status, body = await bob.post(f"{RBAC}/namespaces/{ns}/roles", invalid)
    assert status == 403 and "attempting to grant RBAC permissions not currently held" in body["message"], body
    status, body = await cluster.admin.post(f"{RBAC}/namespaces/{ns}/roles", invalid)
    assert status == 422 and body["reason"] == "Invalid", body
