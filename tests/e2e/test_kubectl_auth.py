"""`kubectl auth can-i` (one question and --list) against a replica under RBAC, as a static-token user."""
from __future__ import annotations

import base64

import pytest
import yaml

from tests.integration.rbac_tools import RBAC, grant, rule, start_rbac_cluster, status_of, user
from tests.polling import eventually


@pytest.fixture(scope="module")
async def rbac(replica_factory, pki, tmp_path_factory):
    c = await start_rbac_cluster(replica_factory, pki, tmp_path_factory.mktemp("kubectl-auth"))

    async def policy_present() -> bool:
        return await status_of(c.admin, "GET", f"{RBAC}/clusterrolebindings/system:basic-user") == 200

    await eventually(policy_present, timeout=20)
    yield c
    await c.close()


@pytest.fixture(scope="module")
def kubeconfig(rbac, pki, tmp_path_factory):
    """Overrides the session's admin kubeconfig: the kubectl fixture then speaks as alice, with her token."""
    path = tmp_path_factory.mktemp("alice") / "alice.kubeconfig"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "alice",
        "clusters": [{"name": "rbac", "cluster": {
            "server": rbac.replica.url,
            "certificate-authority-data": base64.b64encode(pki.ca_cert.read_bytes()).decode()}}],
        "users": [{"name": "alice", "user": {"token": "alice-token"}}],
        "contexts": [{"name": "alice", "context": {"cluster": "rbac", "user": "alice", "namespace": "default"}}],
    }))
    return path


async def test_can_i_and_list(rbac, kubectl):
    await grant(rbac, "default", user("alice"), [rule(["create", "get"], [""], ["pods"]),
                                                 rule(["list"], ["apps"], ["deployments"])])

    async def granted() -> bool:
        return await status_of(rbac.users["alice"], "GET", "/api/v1/namespaces/default/pods/none") == 404

    await eventually(granted)
    result = kubectl("auth", "can-i", "create", "pods", "-n", "default")
    assert result.stdout.strip() == "yes"
    result = kubectl("auth", "can-i", "delete", "pods", "-n", "default", check=False)
    assert result.returncode == 1 and result.stdout.strip() == "no"
    assert kubectl("auth", "can-i", "list", "deployments.apps").stdout.strip() == "yes"
    assert kubectl("auth", "can-i", "create", "pods", "-n", "kube-system", check=False).stdout.strip() == "no"
    assert kubectl("auth", "can-i", "get", "/apis").stdout.strip() == "yes"
    listed = kubectl("auth", "can-i", "--list", "-n", "default").stdout
    rows = {line.split()[0]: line for line in listed.splitlines()[1:] if line.strip()}
    assert "[create get]" in rows["pods"], listed
    assert "[list]" in rows["deployments.apps"], listed
    assert "selfsubjectaccessreviews.authorization.k8s.io" in rows, listed
    assert any(line.split()[0] == "[/apis/*]" for line in listed.splitlines() if line.strip()), listed
