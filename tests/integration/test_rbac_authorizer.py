"""The RBAC authorizer on a real replica: each kind of rule allows what it names and nothing else, subjects
match users, groups and service accounts, and a missing role is named in the 403 as kube names it."""
from __future__ import annotations

import uuid

from tests.integration.conftest import configmap
from tests.integration.rbac_tools import RBAC, binding, create, grant, role, rule, status_of, user
from tests.polling import eventually


async def test_system_masters_always_allowed_and_others_denied_by_default(cluster, ns):
    assert await status_of(cluster.admin, "GET", f"/api/v1/namespaces/{ns}/configmaps") == 200
    status, body = await cluster.users["bob"].get(f"/api/v1/namespaces/{ns}/configmaps/c")
    assert status == 403 and body["reason"] == "Forbidden"
    assert body["message"] == (f'configmaps "c" is forbidden: User "bob" cannot get resource "configmaps" in API '
                               f'group "" in the namespace "{ns}"')


async def test_verbs_and_resources(cluster, ns):
    bob = cluster.users["bob"]
    await grant(cluster, ns, user("bob"), [rule(["get", "list"], [""], ["configmaps"])])
    await create(cluster.admin, f"/api/v1/namespaces/{ns}/configmaps", configmap("c"))

    async def can_read() -> bool:
        return await status_of(bob, "GET", f"/api/v1/namespaces/{ns}/configmaps/c") == 200

    await eventually(can_read)
    assert await status_of(bob, "GET", f"/api/v1/namespaces/{ns}/configmaps") == 200
    assert await status_of(bob, "POST", f"/api/v1/namespaces/{ns}/configmaps", configmap("d")) == 403
    assert await status_of(bob, "GET", f"/api/v1/namespaces/{ns}/secrets") == 403
    # a namespaced grant says nothing about another namespace, nor about the cluster scope
    assert await status_of(bob, "GET", "/api/v1/namespaces/default/configmaps") == 403
    assert await status_of(bob, "GET", "/api/v1/configmaps") == 403


async def test_resource_names(cluster, ns):
    carol = cluster.users["carol"]
    await grant(cluster, ns, user("carol"), [rule(["get", "delete"], [""], ["configmaps"], names=["mine"])])
    for name in ("mine", "theirs"):
        await create(cluster.admin, f"/api/v1/namespaces/{ns}/configmaps", configmap(name))

    async def can_read_mine() -> bool:
        return await status_of(carol, "GET", f"/api/v1/namespaces/{ns}/configmaps/mine") == 200

    await eventually(can_read_mine)
    assert await status_of(carol, "GET", f"/api/v1/namespaces/{ns}/configmaps/theirs") == 403
    # a list has no name, so a rule restricted to names never allows it
    assert await status_of(carol, "GET", f"/api/v1/namespaces/{ns}/configmaps") == 403
    assert await status_of(carol, "DELETE", f"/api/v1/namespaces/{ns}/configmaps/mine") == 200


async def test_wildcards_and_subresources(cluster, ns):
    dave = cluster.users["dave"]
    await grant(cluster, ns, user("dave"), [rule(["get"], ["apps"], ["*/scale"]),
                                            rule(["get"], [""], ["pods/log"]),
                                            rule(["*"], ["batch"], ["*"])])
    base = f"/apis/apps/v1/namespaces/{ns}/deployments/d"

    async def granted() -> bool:
        return await status_of(dave, "GET", f"{base}/scale") == 404

    await eventually(granted)
    assert await status_of(dave, "GET", base) == 403
    assert await status_of(dave, "GET", f"/api/v1/namespaces/{ns}/pods/p") == 403
    assert await status_of(dave, "GET", f"/apis/batch/v1/namespaces/{ns}/jobs") == 200
    assert await status_of(dave, "DELETE", f"/apis/batch/v1/namespaces/{ns}/cronjobs/x") == 404
    assert await status_of(dave, "GET", f"/apis/apps/v1/namespaces/{ns}/deployments") == 403


async def test_groups_and_service_accounts(cluster, ns):
    await grant(cluster, ns, {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "devs"},
                [rule(["list"], [""], ["secrets"])])
    # a ServiceAccount subject without a namespace is the binding's own namespace
    await grant(cluster, ns, {"kind": "ServiceAccount", "name": "robot"}, [rule(["list"], [""], ["pods"])])
    await grant(cluster, ns, {"kind": "ServiceAccount", "name": "robot", "namespace": "apps"},
                [rule(["list"], [""], ["services"])])

    async def devs_allowed() -> bool:
        return await status_of(cluster.users["alice"], "GET", f"/api/v1/namespaces/{ns}/secrets") == 200

    await eventually(devs_allowed)
    assert await status_of(cluster.users["bob"], "GET", f"/api/v1/namespaces/{ns}/secrets") == 403
    robot = cluster.users["robot"]

    async def robot_allowed() -> bool:
        return await status_of(robot, "GET", f"/api/v1/namespaces/{ns}/services") == 200

    await eventually(robot_allowed)
    # the first grant names system:serviceaccount:<ns>:robot, not apps:robot
    assert await status_of(robot, "GET", f"/api/v1/namespaces/{ns}/pods") == 403


async def test_non_resource_urls_through_a_cluster_role(cluster):
    name = f"urls-{uuid.uuid4().hex[:6]}"
    await create(cluster.admin, f"{RBAC}/clusterroles", role(name, [rule(["get"], urls=["/logs/*", "/metrics"])]))
    await create(cluster.admin, f"{RBAC}/clusterrolebindings", binding(name, "ClusterRole", name, [user("dave")]))
    dave = cluster.users["dave"]

    async def allowed() -> bool:
        return await status_of(dave, "GET", "/metrics") == 200

    await eventually(allowed)
    # allowed, and then not served: 404 rather than 403
    assert await status_of(dave, "GET", "/logs/kube-apiserver.log") == 404
    assert await status_of(cluster.users["bob"], "GET", "/metrics") == 403
    status, body = await dave.get("/debug/pprof")
    assert status == 403
    assert body["message"] == 'forbidden: User "dave" cannot get path "/debug/pprof"'


async def test_missing_role_is_the_reason(cluster, ns):
    await create(cluster.admin, f"{RBAC}/namespaces/{ns}/rolebindings",
                 binding("dangling", "ClusterRole", "nope", [user("carol")], ns))
    expected = (f'secrets is forbidden: User "carol" cannot list resource "secrets" in API group "" in the namespace '
                f'"{ns}": RBAC: clusterrole.rbac.authorization.k8s.io "nope" not found')

    async def reason_shown() -> bool:
        _, body = await cluster.users["carol"].get(f"/api/v1/namespaces/{ns}/secrets")
        return body["message"] == expected

    await eventually(reason_shown)
    # the role appears: the binding now grants what it holds
    await create(cluster.admin, f"{RBAC}/clusterroles", role("nope", [rule(["list"], [""], ["secrets"])]))

    async def allowed() -> bool:
        return await status_of(cluster.users["carol"], "GET", f"/api/v1/namespaces/{ns}/secrets") == 200

    await eventually(allowed)
    status, _ = await cluster.admin.delete(f"{RBAC}/clusterroles/nope")
    assert status == 200

    async def denied_again() -> bool:
        return await status_of(cluster.users["carol"], "GET", f"/api/v1/namespaces/{ns}/secrets") == 403

    await eventually(denied_again)
