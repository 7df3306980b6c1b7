"""The Node and ABAC authorization modes and impersonation, on one real replica run with
`--authorization-mode=Node,ABAC`: static-token users, a policy file, kubelet identities, and real kubectl."""
from __future__ import annotations

import asyncio
import json
import os
import ssl
import subprocess
from pathlib import Path

import pytest

from cluster.replica import client_context
from tests.integration.conftest import Api, configmap, write_token_file
from tests.polling import eventually

NS = "abac-ns"
TOKENS = {"node-a": "node-a-token", "node-b": "node-b-token", "reader": "reader-token", "alice": "alice-token",
          "bob": "bob-token", "carol": "carol-token", "erin": "erin-token"}
ABAC = "abac.authorization.kubernetes.io/v1beta1"


def policy(**spec) -> str:
    return json.dumps({"apiVersion": ABAC, "kind": "Policy", "spec": spec})


POLICIES = [
    "# the admin certificate's group may do everything",
    policy(group="system:masters", namespace="*", resource="*", apiGroup="*", nonResourcePath="*"),
    "",
    policy(user="reader", namespace="*", resource="*", apiGroup="*", readonly=True),
    # discovery for every authenticated user ("*" means that in v1beta1), as kube's ABAC docs suggest
    policy(user="*", nonResourcePath="/api", readonly=True),
    policy(user="*", nonResourcePath="/api/*", readonly=True),
    policy(user="*", nonResourcePath="/apis*", readonly=True),
    policy(user="reader", nonResourcePath="/metric*", readonly=True),
    policy(user="bob", namespace=NS, resource="configmaps", apiGroup=""),
    policy(group="ops", namespace=NS, resource="pods", apiGroup="", readonly=True),
    policy(user="alice", namespace="*", resource="users", apiGroup=""),
    policy(user="alice", namespace="*", resource="groups", apiGroup=""),
    policy(user="erin", namespace="*", resource="users", apiGroup=""),
]


@pytest.fixture(scope="module")
def replica(replica_factory, tmp_path_factory):
    directory = tmp_path_factory.mktemp("authz-modes")
    rows = [f"{TOKENS['node-a']},system:node:node-a,uid-na,system:nodes",
            f"{TOKENS['node-b']},system:node:node-b,uid-nb,system:nodes"]
    rows += [f"{token},{user},uid-{user}" for user, token in TOKENS.items() if not user.startswith("node-")]
    tokens = write_token_file(directory / "tokens.csv", rows)
    policies = directory / "policy.jsonl"
    policies.write_text("\n".join(POLICIES) + "\n")
    replica = replica_factory(f"--token-auth-file={tokens}", "--authorization-mode=Node,ABAC",
                              f"--authorization-policy-file={policies}")
    yield replica
    replica.stop()


@pytest.fixture(scope="module")
async def admin(replica, pki):
    client = Api(replica.url, client_context(pki))
    status, body = await client.post("/api/v1/namespaces", {"metadata": {"name": NS}})
    assert status == 201, body
    yield client
    await client.close()


@pytest.fixture
async def as_user(replica, pki):
    clients: list[Api] = []
    plain = ssl.create_default_context(cafile=str(pki.ca_cert))

    def make(user: str, **headers: str) -> Api:
        client = Api(replica.url, plain, {"Authorization": f"Bearer {TOKENS[user]}", **headers})
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


def pod(name: str, node: str, secret: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "busybox",
                                                       "env": [{"name": "CONFIG", "valueFrom": {"configMapKeyRef": {
                                                           "name": f"{name}-config", "key": "k"}}}]}],
                     "volumes": [{"name": "creds", "secret": {"secretName": secret}}]}}


async def answers_eventually(client: Api, path: str, expected: int) -> dict:
    """The body of a GET of `path` once it answers `expected`: the node graph follows the watch cache, a moment
    behind the write."""
    async def answers() -> dict:
        status, body = await client.get(path)
        assert status == expected, body
        return body

    return await eventually(answers, what=f"GET {path} answering {expected}")


# ---------------------------------------------------------------- Node

async def test_node_reads_only_what_its_pods_reference(admin, as_user):
    for secret in ("s-a", "s-b"):
        status, body = await admin.post(f"/api/v1/namespaces/{NS}/secrets",
                                        {"metadata": {"name": secret}, "stringData": {"k": "v"}})
        assert status == 201, body
    for name, node, secret in (("pod-a", "node-a", "s-a"), ("pod-b", "node-b", "s-b")):
        status, body = await admin.post(f"/api/v1/namespaces/{NS}/pods", pod(name, node, secret))
        assert status == 201, body
    status, body = await admin.post(f"/api/v1/namespaces/{NS}/configmaps", configmap("pod-a-config"))
    assert status == 201, body
    node_a = as_user("node-a")

    body = await answers_eventually(node_a, f"/api/v1/namespaces/{NS}/secrets/s-a", 200)
    assert body["metadata"]["name"] == "s-a", body
    status, body = await node_a.get(f"/api/v1/namespaces/{NS}/configmaps/pod-a-config")
    assert status == 200, body
    status, body = await node_a.get(f"/api/v1/namespaces/{NS}/pods/pod-a")
    assert status == 200, body

    # another node's pod secret, its pod, and its config map
    status, body = await node_a.get(f"/api/v1/namespaces/{NS}/secrets/s-b")
    assert status == 403, body
    assert body["reason"] == "Forbidden"
    assert body["message"] == (f'secrets "s-b" is forbidden: User "system:node:node-a" cannot get resource "secrets" '
                               f'in API group "" in the namespace "{NS}": '
                               "no relationship found between node 'node-a' and this object; No policy matched.")
    status, body = await node_a.get(f"/api/v1/namespaces/{NS}/pods/pod-b")
    assert status == 403, body
    # secrets are read one by one, never listed nor written; a list or watch pinned to one name is a read of it
    status, body = await node_a.get(f"/api/v1/namespaces/{NS}/secrets")
    assert status == 403 and "No Object name found" in body["message"]
    status, body = await node_a.get(f"/api/v1/namespaces/{NS}/secrets", params={"fieldSelector": "metadata.name=s-a"})
    assert status == 200 and [item["metadata"]["name"] for item in body["items"]] == ["s-a"], body
    status, _ = await node_a.get(f"/api/v1/namespaces/{NS}/secrets", params={"fieldSelector": "metadata.name=s-b"})
    assert status == 403
    status, body = await node_a.request("DELETE", f"/api/v1/namespaces/{NS}/secrets/s-a")
    assert status == 403 and "can only read resources of this type" in body["message"]


async def test_node_pod_list_needs_its_node_selector(admin, as_user):
    status, body = await admin.post(f"/api/v1/namespaces/{NS}/pods", pod("pod-listed-a", "node-a", "s-a"))
    assert status == 201, body
    node_a = as_user("node-a")
    status, body = await node_a.get("/api/v1/pods", params={"fieldSelector": "spec.nodeName=node-a"})
    assert status == 200, body
    assert {item["metadata"]["name"] for item in body["items"]} >= {"pod-listed-a"}
    status, body = await node_a.get("/api/v1/pods", params={"fieldSelector": "spec.nodeName=node-b"})
    assert status == 403 and "can only list/watch pods with spec.nodeName field selector" in body["message"]
    status, _ = await node_a.get("/api/v1/pods")
    assert status == 403


async def test_node_object_and_lease_by_name(admin, as_user):
    node_a = as_user("node-a")
    status, body = await node_a.post("/api/v1/nodes", {"metadata": {"name": "node-a"}})
    assert status == 201, body
    status, body = await node_a.get("/api/v1/nodes/node-a")
    assert status == 200, body
    status, body = await node_a.get("/api/v1/nodes/node-b")
    assert status == 403 and "node 'node-a' cannot read 'node-b', only its own Node object" in body["message"]
    status, body = await node_a.get("/api/v1/nodes")
    assert status == 403 and "cannot read all nodes" in body["message"]
    lease = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"
    status, body = await node_a.get(f"{lease}/node-a")
    assert status == 404, body            # authorized; the lease does not exist yet
    status, body = await node_a.get(f"{lease}/node-b")
    assert status == 403 and "same name as the requesting node" in body["message"]
    status, body = await node_a.get(f"/apis/coordination.k8s.io/v1/namespaces/{NS}/leases/node-a")
    assert status == 403 and 'can only access leases in the "kube-node-lease" system namespace' in body["message"]


async def test_node_loses_access_when_the_pod_goes(admin, as_user):
    status, body = await admin.post(f"/api/v1/namespaces/{NS}/secrets",
                                    {"metadata": {"name": "s-gone"}, "stringData": {"k": "v"}})
    assert status == 201, body
    status, body = await admin.post(f"/api/v1/namespaces/{NS}/pods", pod("pod-gone", "node-a", "s-gone"))
    assert status == 201, body
    node_a = as_user("node-a")
    await answers_eventually(node_a, f"/api/v1/namespaces/{NS}/secrets/s-gone", 200)
    status, body = await admin.delete(f"/api/v1/namespaces/{NS}/pods/pod-gone", {"gracePeriodSeconds": 0})
    assert status == 200, body
    await answers_eventually(node_a, f"/api/v1/namespaces/{NS}/secrets/s-gone", 403)


async def test_node_gets_the_node_role_rules_for_resources_the_mode_does_not_subdivide(admin, as_user):
    node_a = as_user("node-a")
    status, body = await node_a.get(f"/api/v1/namespaces/{NS}/services")
    assert status == 200, body
    # a node's events live in "default", the namespace kube requires of an event about a cluster-scoped object
    status, body = await node_a.post("/api/v1/namespaces/default/events",
                                     {"metadata": {"name": "node-a.1"}, "involvedObject": {"kind": "Node",
                                                                                          "name": "node-a"}})
    assert status == 201, body
    status, body = await node_a.request("DELETE", f"/api/v1/namespaces/{NS}/services/anything")
    assert status == 403, body
    status, body = await node_a.get("/api/v1/namespaces")
    assert status == 403, body
    status, body = await as_user("carol").get(f"/api/v1/namespaces/{NS}/services")
    assert status == 403, body


async def test_a_user_that_is_not_a_node_gets_no_node_rights(admin, as_user):
    status, body = await as_user("carol").get(f"/api/v1/namespaces/{NS}/secrets/s-a")
    assert status == 403
    assert body["message"].endswith('cannot get resource "secrets" in API group "" in the namespace '
                                    f'"{NS}": No policy matched.')


# ---------------------------------------------------------------- ABAC

async def test_abac_read_only_line_allows_reads_and_denies_writes(admin, as_user):
    status, body = await admin.post(f"/api/v1/namespaces/{NS}/configmaps", configmap("readable"))
    assert status == 201, body
    reader = as_user("reader")
    status, body = await reader.get(f"/api/v1/namespaces/{NS}/configmaps/readable")
    assert status == 200, body
    status, body = await reader.get("/apis/apps/v1/deployments")
    assert status == 200, body
    status, body = await reader.post(f"/api/v1/namespaces/{NS}/configmaps", configmap("written"))
    assert status == 403, body
    assert body["message"] == (f'configmaps is forbidden: User "reader" cannot create resource "configmaps" in API '
                               f'group "" in the namespace "{NS}": No policy matched.')


async def test_abac_namespace_resource_and_paths(admin, as_user):
    bob = as_user("bob")
    status, body = await bob.post(f"/api/v1/namespaces/{NS}/configmaps", configmap("bobs"))
    assert status == 201, body
    status, _ = await bob.post("/api/v1/namespaces/default/configmaps", configmap("bobs"))
    assert status == 403
    status, _ = await bob.get(f"/api/v1/namespaces/{NS}/secrets")
    assert status == 403
    status, _ = await bob.get("/apis/apps")
    assert status == 200
    status, _ = await as_user("reader").get("/metrics")
    assert status == 200
    status, body = await bob.get("/metrics")
    assert status == 403
    assert body["message"] == 'forbidden: User "bob" cannot get path "/metrics": No policy matched.'
    # a read-only line grants no writes, even on a path
    status, _ = await bob.post("/apis", {})
    assert status == 403


# ---------------------------------------------------------------- impersonation

async def test_impersonation_runs_the_request_as_the_impersonated_user(admin, as_user):
    path = f"/api/v1/namespaces/{NS}/configmaps"
    status, _ = await as_user("alice").get(path)
    assert status == 403
    status, body = await as_user("alice", **{"Impersonate-User": "bob"}).get(path)
    assert status == 200, body
    # the impersonated user's rights, not the requester's: bob may not read secrets
    status, body = await as_user("alice", **{"Impersonate-User": "bob"}).get(f"/api/v1/namespaces/{NS}/secrets")
    assert status == 403
    assert body["message"].startswith('secrets is forbidden: User "bob" cannot list resource "secrets"')


async def test_impersonation_without_the_verb_is_forbidden(admin, as_user):
    status, body = await as_user("carol", **{"Impersonate-User": "bob"}).get(f"/api/v1/namespaces/{NS}/configmaps")
    assert status == 403, body
    assert body["reason"] == "Forbidden"
    assert body["message"] == ('users "bob" is forbidden: User "carol" cannot impersonate resource "users" in API '
                               'group "" at the cluster scope: No policy matched.')
    assert body["details"] == {"name": "bob", "kind": "users"}
    # erin may impersonate users but not groups
    erin = as_user("erin", **{"Impersonate-User": "bob", "Impersonate-Group": "ops"})
    status, body = await erin.get(f"/api/v1/namespaces/{NS}/pods")
    assert status == 403
    assert body["message"].startswith('groups "ops" is forbidden: User "erin" cannot impersonate resource "groups"')
    # an extra needs its own grant, on userextras/<key> in authentication.k8s.io
    alice = as_user("alice", **{"Impersonate-User": "bob", "Impersonate-Extra-Scopes": "view"})
    status, body = await alice.get(f"/api/v1/namespaces/{NS}/configmaps")
    assert status == 403
    assert body["message"].startswith('userextras.authentication.k8s.io "view" is forbidden: User "alice" cannot '
                                      'impersonate resource "userextras/scopes" in API group "authentication.k8s.io"')


async def test_impersonating_groups_without_a_user_is_an_error(admin, as_user):
    status, body = await as_user("alice", **{"Impersonate-Group": "ops"}).get(f"/api/v1/namespaces/{NS}/pods")
    assert status == 500, body
    assert body["reason"] == "InternalError"
    assert body["message"] == "Internal error occurred: requested [{Group  ops    }] without impersonating a user"


def run_kubectl(replica, pki, tmp_path: Path, token: str, *args: str) -> subprocess.CompletedProcess:
    empty = tmp_path / "empty.kubeconfig"
    empty.write_text("")
    return subprocess.run(["kubectl", f"--server={replica.url}", f"--certificate-authority={pki.ca_cert}",
                           f"--token={token}", f"--cache-dir={tmp_path / 'cache'}", *args],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "KUBECONFIG": str(empty)})


async def test_kubectl_as_and_as_group(admin, replica, pki, tmp_path):
    status, body = await admin.post(f"/api/v1/namespaces/{NS}/pods", pod("pod-listed", "node-b", "s-b"))
    assert status == 201, body
    alice = TOKENS["alice"]
    loop = asyncio.get_running_loop()
    plain = await loop.run_in_executor(None, run_kubectl, replica, pki, tmp_path, alice,
                                       "get", "pods", "-n", NS, "-o", "name")
    assert plain.returncode == 1 and 'User "alice" cannot list resource "pods"' in plain.stderr
    acting = await loop.run_in_executor(None, run_kubectl, replica, pki, tmp_path, alice,
                                        "--as=bob", "--as-group=ops", "get", "pods", "-n", NS, "-o", "name")
    assert acting.returncode == 0, acting.stderr
    assert "pod/pod-listed" in acting.stdout.split()
    # bob alone, without the ops group, may not list pods
    alone = await loop.run_in_executor(None, run_kubectl, replica, pki, tmp_path, alice,
                                       "--as=bob", "get", "pods", "-n", NS)
    assert alone.returncode == 1 and 'User "bob" cannot list resource "pods"' in alone.stderr


async def test_a_bad_policy_line_stops_start_up(replica_factory, tmp_path):
    policies = tmp_path / "policy.jsonl"
    policies.write_text(policy(user="x", namespace="*", resource="*", apiGroup="*") + "\n"
                        + '{"apiVersion": "' + ABAC + '", "kind": "Policy", "spec": {"readonly": "yes"}}\n')
    replica = replica_factory("--authorization-mode=ABAC", f"--authorization-policy-file={policies}", wait=False)
    assert replica.process.wait(timeout=30) == 1
    lines = [line for line in replica.spec.log_file.read_text().splitlines() if line.strip()]
    assert lines[-1] == (f"Error: --authorization-policy-file: error reading policy file {policies}, line 2: "
                         f'{{"apiVersion": "{ABAC}", "kind": "Policy", "spec": {{"readonly": "yes"}}}}: '
                         "readonly must be a boolean")
