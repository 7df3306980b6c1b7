"""NodeRestriction on a real replica run with `--authorization-mode=Node,RBAC` and the plugin enabled: kubelets
(static-token users `system:node:<name>` in `system:nodes`) may write only what concerns their own node, while
the administrator (a system:masters certificate) is not restricted."""
from __future__ import annotations

import ssl

import pytest

from cluster.replica import client_context
from tests.integration.conftest import Api, write_token_file
from tests.integration.sa_tools import make_sa_keys
from tests.polling import eventually

NS = "restricted"
TOKENS = {"node-a": "node-a-token", "node-b": "node-b-token"}
MERGE = {"Content-Type": "application/merge-patch+json"}
LEASES = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"


@pytest.fixture(scope="module")
def replica(replica_factory, tmp_path_factory):
    directory = tmp_path_factory.mktemp("noderestriction")
    tokens = write_token_file(directory / "tokens.csv", [f"{token},system:node:{name},uid-{name},system:nodes"
                                                         for name, token in TOKENS.items()])
    # signing keys, so that nodes can ask for their pods' tokens
    replica = replica_factory(f"--token-auth-file={tokens}", "--authorization-mode=Node,RBAC",
                              "--enable-admission-plugins=NodeRestriction", *make_sa_keys(directory).flags())
    yield replica
    replica.stop()


@pytest.fixture(scope="module")
async def admin(replica, pki):
    client = Api(replica.url, client_context(pki))
    status, body = await client.post("/api/v1/namespaces", {"metadata": {"name": NS}})
    assert status == 201, body
    for name in TOKENS:
        status, body = await client.post("/api/v1/nodes", {"metadata": {"name": name}})
        assert status == 201, body
    status, body = await client.post(f"/api/v1/namespaces/{NS}/serviceaccounts", {"metadata": {"name": "runner"}})
    assert status == 201, body
    yield client
    await client.close()


@pytest.fixture(scope="module")
async def nodes(replica, pki):
    plain = ssl.create_default_context(cafile=str(pki.ca_cert))
    clients = {name: Api(replica.url, plain, {"Authorization": f"Bearer {token}"}) for name, token in TOKENS.items()}
    yield clients
    for client in clients.values():
        await client.close()


def pod(name: str, node: str, **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "busybox"}], **spec}}


async def created(client: Api, path: str, body: dict) -> dict:
    status, answer = await client.post(path, body)
    assert status == 201, answer
    return answer


def refused(status: int, body: dict, message: str) -> None:
    assert status == 403 and body["reason"] == "Forbidden", body
    assert body["message"] == message


# ---------------------------------------------------------------- the Node object

async def test_a_node_writes_only_its_own_node(admin, nodes):
    node_a = nodes["node-a"]
    status, body = await node_a.request("PATCH", "/api/v1/nodes/node-b", {"metadata": {"labels": {"x": "y"}}},
                                        headers=MERGE)
    refused(status, body, 'nodes "node-b" is forbidden: node "node-a" is not allowed to modify node "node-b"')
    status, body = await node_a.request("PATCH", "/api/v1/nodes/node-a", {"metadata": {"labels": {
        "example.com/rack": "r1", "kubernetes.io/hostname": "node-a", "node.kubernetes.io/exclude-disruption": ""}}},
        headers=MERGE)
    assert status == 200, body


async def test_a_node_may_not_give_itself_labels_that_steer_workloads(admin, nodes):
    node_a = nodes["node-a"]
    status, body = await node_a.request("PATCH", "/api/v1/nodes/node-a", {"metadata": {"labels": {
        "node-restriction.kubernetes.io/trusted": "yes", "example.k8s.io/x": "y"}}}, headers=MERGE)
    refused(status, body, 'nodes "node-a" is forbidden: is not allowed to modify labels: example.k8s.io/x, '
                          "node-restriction.kubernetes.io/trusted")
    status, body = await admin.request("DELETE", "/api/v1/nodes/node-b")
    assert status == 200, body
    status, body = await nodes["node-b"].post("/api/v1/nodes", {"metadata": {"name": "node-b", "labels": {
        "kubernetes.io/role": "master"}}})
    refused(status, body, 'nodes "node-b" is forbidden: node "node-b" is not allowed to set the following labels: '
                          "kubernetes.io/role")
    await created(nodes["node-b"], "/api/v1/nodes", {"metadata": {"name": "node-b", "labels": {
        "kubernetes.io/os": "linux"}}})


async def test_a_node_may_not_lift_its_taints(admin, nodes):
    status, body = await nodes["node-a"].request("PATCH", "/api/v1/nodes/node-a", {"spec": {"taints": None}},
                                                 headers=MERGE)
    refused(status, body, 'nodes "node-a" is forbidden: node "node-a" is not allowed to modify taints')
    # the administrator may
    status, body = await admin.request("PATCH", "/api/v1/nodes/node-a", {"spec": {"taints": None}}, headers=MERGE)
    assert status == 200 and "taints" not in body["spec"], body


# ---------------------------------------------------------------- pods

async def test_a_node_creates_only_mirror_pods_of_its_own(admin, nodes):
    node_a = nodes["node-a"]
    path = f"/api/v1/namespaces/{NS}/pods"
    status, body = await node_a.post(path, pod("static", "node-a"))
    refused(status, body, 'pods "static" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, '
                          'node "node-a" can only create mirror pods')
    status, node = await admin.get("/api/v1/nodes/node-a")
    assert status == 200, node
    mirror = pod("static-node-a", "node-a")
    mirror["metadata"].update(annotations={"kubernetes.io/config.mirror": "hash"}, ownerReferences=[
        {"apiVersion": "v1", "kind": "Node", "name": "node-a", "uid": node["metadata"]["uid"], "controller": True}])
    await created(node_a, path, mirror)
    mirror["metadata"]["name"] = "static-secret"
    mirror["spec"]["volumes"] = [{"name": "s", "secret": {"secretName": "token"}}]
    status, body = await node_a.post(path, mirror)
    # the ServiceAccount plugin comes first in kube's order and refuses a mirror pod's secrets itself
    refused(status, body, 'pods "static-secret" is forbidden: a mirror pod may not reference secrets')
    mirror["spec"]["volumes"] = [{"name": "c", "configMap": {"name": "settings"}}]
    status, body = await node_a.post(path, mirror)
    refused(status, body, 'pods "static-secret" is forbidden: node "node-a" can not create pods that reference '
                          "configmaps")
    mirror["spec"]["volumes"] = []
    mirror["spec"]["nodeName"] = "node-b"
    status, body = await node_a.post(path, mirror)
    refused(status, body, 'pods "static-secret" is forbidden: node "node-a" can only create pods with spec.nodeName '
                          "set to itself")
    mirror["spec"]["nodeName"] = "node-a"
    mirror["metadata"]["ownerReferences"][0]["uid"] = "not-the-uid"
    status, body = await node_a.post(path, mirror)
    refused(status, body, f'pods "static-secret" is forbidden: node node-a UID mismatch: expected not-the-uid got '
                          f'{node["metadata"]["uid"]}')


async def test_a_node_touches_only_the_pods_bound_to_it(admin, nodes):
    node_a = nodes["node-a"]
    path = f"/api/v1/namespaces/{NS}/pods"
    mine = await created(admin, path, pod("on-a", "node-a"))
    theirs = await created(admin, path, pod("on-b", "node-b"))
    for item in (mine, theirs):
        item["status"] = {"phase": "Running"}
    status, body = await node_a.put(f"{path}/on-b/status", theirs)
    refused(status, body, 'pods "on-b" is forbidden: node "node-a" can only update pod status for pods with '
                          "spec.nodeName set to itself")
    status, body = await node_a.put(f"{path}/on-a/status", mine)
    assert status == 200 and body["status"]["phase"] == "Running", body
    mine = body
    mine["metadata"]["labels"] = {"sneaky": "yes"}
    status, body = await node_a.put(f"{path}/on-a/status", mine)
    refused(status, body, 'pods "on-a" is forbidden: node "node-a" cannot update labels through pod status')
    eviction = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "on-b", "namespace": NS}}
    status, body = await node_a.post(f"{path}/on-b/eviction", eviction)
    refused(status, body, 'pods "on-b" is forbidden: node node-a can only evict pods with spec.nodeName set to '
                          "itself")
    status, body = await node_a.delete(f"{path}/on-b")
    refused(status, body, 'pods "on-b" is forbidden: node "node-a" can only delete pods with spec.nodeName set to '
                          "itself")
    status, body = await node_a.delete(f"{path}/on-a", {"gracePeriodSeconds": 0})
    assert status == 200, body


# ---------------------------------------------------------------- leases, claims, tokens

async def test_a_node_writes_only_its_own_lease(admin, nodes):
    node_a = nodes["node-a"]
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "spec": {"holderIdentity": "node-a"}}
    status, body = await node_a.post(LEASES, {**lease, "metadata": {"name": "node-b"}})
    refused(status, body, 'leases.coordination.k8s.io "node-b" is forbidden: can only access node lease with the '
                          "same name as the requesting node")
    await created(node_a, LEASES, {**lease, "metadata": {"name": "node-a"}})


async def test_a_node_updates_only_what_it_reports_of_a_claim(admin, nodes):
    node_a = nodes["node-a"]
    claims = f"/api/v1/namespaces/{NS}/persistentvolumeclaims"
    await created(admin, claims, {"metadata": {"name": "data"}, "spec": {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}})
    await created(admin, f"/api/v1/namespaces/{NS}/pods", pod(
        "uses-data", "node-a", volumes=[{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]))

    async def reported() -> dict:
        status, claim = await admin.get(f"{claims}/data")
        assert status == 200, claim
        claim.setdefault("status", {})["capacity"] = {"storage": "2Gi"}
        status, body = await node_a.put(f"{claims}/data/status", claim)
        assert status == 200, body["message"]
        return body

    # the Node authorizer lets the node in once its graph has the pod
    body = await eventually(reported, what="the node's claim status update")
    assert body["status"]["capacity"] == {"storage": "2Gi"}
    body["metadata"]["labels"] = {"moved": "yes"}
    status, answer = await node_a.put(f"{claims}/data/status", body)
    assert status == 403, answer
    assert answer["message"].startswith('persistentvolumeclaims "data" is forbidden: node "node-a" is not allowed '
                                        "to update fields other than status.quantity and status.conditions: ")
    status, answer = await node_a.request("PATCH", f"{claims}/data", {"metadata": {"labels": {"a": "b"}}},
                                          headers=MERGE)
    assert status == 403, answer


async def test_a_node_gets_tokens_only_for_its_pods(admin, nodes):
    node_a = nodes["node-a"]
    pods = f"/api/v1/namespaces/{NS}/pods"
    mine = await created(admin, pods, pod("runs-a", "node-a", serviceAccountName="runner"))
    theirs = await created(admin, pods, pod("runs-b", "node-b", serviceAccountName="runner"))

    def request(target: dict) -> dict:
        return {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {
            "audiences": ["api"], "boundObjectRef": {"apiVersion": "v1", "kind": "Pod",
                                                     "name": target["metadata"]["name"],
                                                     "uid": target["metadata"]["uid"]}}}

    path = f"/api/v1/namespaces/{NS}/serviceaccounts/runner/token"

    async def issued() -> dict:
        status, body = await node_a.post(path, request(mine))
        assert status == 201, body
        return body

    assert (await eventually(issued, what="a token for the node's pod"))["status"]["token"]
    status, body = await node_a.post(path, request(theirs))
    refused(status, body, 'serviceaccounts "runner" is forbidden: node requested token bound to a pod scheduled on a '
                          "different node")
    unbound = request(mine)
    del unbound["spec"]["boundObjectRef"]
    status, body = await node_a.post(path, unbound)
    refused(status, body, 'serviceaccounts "runner" is forbidden: node requested token not bound to a pod')
