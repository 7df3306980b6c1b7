"""The default RBAC policy on a real replica: reconciled by the leader at start-up, aggregated roles filled, and
across a restart an edited autoupdate=false role kept as the user left it while autoupdate=true ones are
brought back up to date."""
from __future__ import annotations

from tests.integration.rbac_tools import RBAC, eventually, start_rbac_cluster, status_of
from apiserver.authz.bootstrappolicy import cluster_role_bindings, cluster_roles

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
            assert binding.get("subjects", []) == expected["subjects"]

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
