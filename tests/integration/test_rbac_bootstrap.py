"""The default RBAC policy on a real replica: reconciled by every replica at start-up, aggregated roles filled, and
across a restart an edited autoupdate=false role kept as the user left it while autoupdate=true ones are
brought back up to date; the controller roles and the kube-system / kube-public Roles exist and grant a
controller's ServiceAccount what kube grants it."""
from __future__ import annotations

import asyncio
import ssl

from apiserver.authz.bootstrappolicy import cluster_role_bindings, cluster_roles
from apiserver.authz.controllerpolicy import controller_role_bindings, controller_roles
from apiserver.authz.namespacepolicy import namespace_role_bindings, namespace_roles
from tests.integration.conftest import Api, make_namespace
from tests.integration.rbac_tools import RBAC, start_rbac_cluster, status_of
from tests.integration.sa_tools import make_sa_keys
from tests.polling import eventually

AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate"


async def wait_for_policy(cluster) -> None:
    async def present() -> bool:
        return await status_of(cluster.admin, "GET", f"{RBAC}/clusterrolebindings/system:service-account-issuer-"
                                                     f"discovery") == 200

    await eventually(present, timeout=20)


async def test_default_policy_and_restart(replica_factory, pki, tmp_path):
    cluster = await start_rbac_cluster(replica_factory, pki, tmp_path)
    try:
        await wait_for_policy(cluster)
        for expected in cluster_roles():
            status, role = await cluster.admin.get(f"{RBAC}/clusterroles/{expected['metadata']['name']}")
            assert status == 200, role
            assert role["metadata"]["labels"]["kubernetes.io/bootstrapping"] == "rbac-defaults"
            assert role["metadata"]["annotations"][AUTOUPDATE] == "true"
            if "aggregationRule" not in expected:
                assert role["rules"] == expected["rules"], expected["metadata"]["name"]
        for expected in cluster_role_bindings():
            status, binding = await cluster.admin.get(f"{RBAC}/clusterrolebindings/{expected['metadata']['name']}")
            assert status == 200 and binding["roleRef"] == expected["roleRef"]
            assert binding.get("subjects", []) == expected.get("subjects", [])

        async def admin_aggregated() -> bool:
            _, admin = await cluster.admin.get(f"{RBAC}/clusterroles/admin")
            resources = {r for rule in admin.get("rules") or [] for r in rule.get("resources", [])}
            # from system:aggregate-to-admin, -edit and -view through edit and view
            return {"rolebindings", "secrets", "pods/log"} <= resources

        await eventually(admin_aggregated)
        # any authenticated user: discovery and self reviews, nothing else
        bob = cluster.users["bob"]
        assert await status_of(bob, "GET", "/apis") == 200
        assert await status_of(bob, "GET", "/api/v1/namespaces") == 403
        review = {"spec": {"resourceAttributes": {"verb": "get", "resource": "pods", "namespace": "default"}}}
        assert await status_of(bob, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review) == 201

        # the user's edits: one role opted out of updates, one left to them
        _, basic = await cluster.admin.get(f"{RBAC}/clusterroles/system:basic-user")
        basic["metadata"]["annotations"][AUTOUPDATE] = "false"
        basic["rules"] = []
        assert (await cluster.admin.put(f"{RBAC}/clusterroles/system:basic-user", basic))[0] == 200
        _, discovery = await cluster.admin.get(f"{RBAC}/clusterroles/system:discovery")
        discovery["rules"] = [{"verbs": ["get"], "nonResourceURLs": ["/version"]}]
        assert (await cluster.admin.put(f"{RBAC}/clusterroles/system:discovery", discovery))[0] == 200
        _, binding = await cluster.admin.get(f"{RBAC}/clusterrolebindings/system:discovery")
        binding["subjects"] = []
        assert (await cluster.admin.put(f"{RBAC}/clusterrolebindings/system:discovery", binding))[0] == 200

        async def discovery_refused() -> bool:
            return await status_of(bob, "GET", "/apis") == 403

        await eventually(discovery_refused)

        # a default object deleted while the leader runs comes back when any replica starts, as in kube
        assert await status_of(cluster.admin, "DELETE", f"{RBAC}/clusterroles/system:heapster") == 200
        second = await start_rbac_cluster(replica_factory, pki, tmp_path, prefix=cluster.replica.prefix)
        try:
            assert await status_of(second.admin, "GET", f"{RBAC}/clusterroles/system:heapster") == 200
        finally:
            await second.close()
            second.replica.stop()
    finally:
        await cluster.close()
        cluster.replica.stop()

    restarted = await start_rbac_cluster(replica_factory, pki, tmp_path, prefix=cluster.replica.prefix)
    try:
        async def discovery_restored() -> bool:
            # bindings are reconciled after every role: once this one is back, so are the roles
            _, binding = await restarted.admin.get(f"{RBAC}/clusterrolebindings/system:discovery")
            return bool(binding.get("subjects"))

        await eventually(discovery_restored, timeout=20)
        _, role = await restarted.admin.get(f"{RBAC}/clusterroles/system:discovery")
        # kube's reconciliation adds what is missing, one atom per verb and URL, after what is there
        assert role["rules"][0] == {"verbs": ["get"], "nonResourceURLs": ["/version"]}
        assert {"verbs": ["get"], "nonResourceURLs": ["/apis/*"]} in role["rules"]
        _, binding = await restarted.admin.get(f"{RBAC}/clusterrolebindings/system:discovery")
        assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                                        "name": "system:authenticated"}]
        _, basic = await restarted.admin.get(f"{RBAC}/clusterroles/system:basic-user")
        assert basic.get("rules", []) == [] and basic["metadata"]["annotations"][AUTOUPDATE] == "false"
        bob = restarted.users["bob"]

        async def discovery_allowed() -> bool:
            return await status_of(bob, "GET", "/apis") == 200

        await eventually(discovery_allowed)
        review = {"spec": {"resourceAttributes": {"verb": "get", "resource": "pods", "namespace": "default"}}}
        assert await status_of(bob, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review) == 403
    finally:
        await restarted.close()


def _path(obj: dict) -> str:
    plural = {"ClusterRole": "clusterroles", "ClusterRoleBinding": "clusterrolebindings", "Role": "roles",
              "RoleBinding": "rolebindings"}[obj["kind"]]
    namespace = obj["metadata"].get("namespace")
    return f"{RBAC}/{f'namespaces/{namespace}/' if namespace else ''}{plural}/{obj['metadata']['name']}"


async def test_controller_and_namespaced_policy_grant_a_controllers_service_account(replica_factory, pki,
                                                                                    tmp_path):
    keys = make_sa_keys(tmp_path)
    cluster = await start_rbac_cluster(replica_factory, pki, tmp_path, *keys.flags())
    admin = cluster.admin
    try:
        async def ready() -> bool:
            # the bootstrap-roles check passes only once every default object, namespaced ones too, is seen
            return await status_of(admin, "GET", "/readyz") == 200

        await eventually(ready, timeout=30)
        for expected in (controller_roles() + controller_role_bindings() + namespace_roles()
                         + namespace_role_bindings()):
            status, got = await admin.get(_path(expected))
            assert status == 200, (expected["metadata"], got)
            for key in ("rules", "roleRef", "subjects"):
                assert got.get(key) == expected.get(key), (expected["metadata"], key)
            assert got["metadata"]["labels"] == expected["metadata"]["labels"]

        ns = "ctrl-apps"
        await make_namespace(admin, ns)
        deploy = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                  "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
        assert (await admin.post(f"/apis/apps/v1/namespaces/{ns}/deployments", deploy))[0] == 201
        account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "deployment-controller"}}
        assert (await admin.post("/api/v1/namespaces/kube-system/serviceaccounts", account))[0] == 201
        status, review = await admin.post("/api/v1/namespaces/kube-system/serviceaccounts/deployment-controller/token",
                                          {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                                           "spec": {}})
        assert status == 201, review
        controller = Api(cluster.replica.url, ssl.create_default_context(cafile=str(pki.ca_cert)),
                         {"Authorization": f"Bearer {review['status']['token']}"})
        try:
            status, current = await controller.get(f"/apis/apps/v1/namespaces/{ns}/deployments/web")
            assert status == 200, current
            current["metadata"]["annotations"] = {"touched-by": "deployment-controller"}
            status, updated = await controller.put(f"/apis/apps/v1/namespaces/{ns}/deployments/web", current)
            assert status == 200, updated
            assert await status_of(controller, "GET", f"/apis/apps/v1/namespaces/{ns}/replicasets") == 200
            # kube's role has no create on deployments and nothing on secrets
            assert await status_of(controller, "POST", f"/apis/apps/v1/namespaces/{ns}/deployments",
                                   {**deploy, "metadata": {"name": "other"}}) == 403
            status, refused = await controller.get(f"/api/v1/namespaces/{ns}/secrets")
            assert status == 403 and refused["reason"] == "Forbidden", refused
            assert "system:serviceaccount:kube-system:deployment-controller" in refused["message"]
        finally:
            await controller.close()

        # the deprecated cloud-provider Role deleted by an administrator: the replica stays ready, as kube's
        # finished post-start hook stays finished
        status, _ = await admin.delete(f"{RBAC}/namespaces/kube-system/roles/system:controller:cloud-provider")
        assert status == 200
        for _ in range(10):  # long enough for the replica's RBAC informer to see the deletion
            assert await status_of(admin, "GET", "/readyz") == 200
            await asyncio.sleep(0.1)
    finally:
        await cluster.close()
        cluster.replica.stop()
