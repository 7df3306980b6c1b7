"""Every error a client can meet is a Status object with the right code and reason."""
from __future__ import annotations

import asyncio
import os
import signal
import ssl

from cluster.replica import client_context
from tests.integration.conftest import (
    ROOT_CA_CONFIGMAP,
    Api,
    configmap,
    make_namespace,
    process_stopped,
    root_ca_published,
    write_token_file,
)
from tests.integration.etcd_tools import etcdctl
from tests.polling import eventually


def assert_status(body, code: int, reason: str) -> None:
    assert isinstance(body, dict), body
    assert body["kind"] == "Status" and body["apiVersion"] == "v1" and body["status"] == "Failure", body
    assert body["code"] == code and body["reason"] == reason, body
    assert body["message"] and "Traceback" not in body["message"]


async def test_400_bad_body(api):
    status, body = await api.request("POST", "/api/v1/namespaces/default/configmaps", data=b"{not json",
                                     headers={"Content-Type": "application/json"})
    assert status == 400
    assert_status(body, 400, "BadRequest")


async def test_404_missing_object_and_unknown_resource(api):
    status, body = await api.get("/api/v1/namespaces/default/configmaps/nope")
    assert status == 404
    assert_status(body, 404, "NotFound")
    assert body["details"] == {"name": "nope", "kind": "configmaps"}
    status, body = await api.get("/apis/apps/v1/namespaces/default/deployments/nope")
    assert body["message"] == 'deployments.apps "nope" not found'
    status, body = await api.get("/api/v1/namespaces/default/widgets")
    assert status == 404
    assert_status(body, 404, "NotFound")
    status, body = await api.get("/no/such/path")
    assert status == 404


async def test_a_name_with_a_line_break_reaches_its_resource(api):
    """Found by the fuzz run (tools/fuzz): a name ending in %0A got the router's bare 404 instead of the
    resource's answer, and a write with it skipped kube's option checks."""
    status, body = await api.get("/api/v1/namespaces/default/configmaps/a%0A")
    assert status == 404
    assert_status(body, 404, "NotFound")
    assert body["details"] == {"name": "a\n", "kind": "configmaps"}
    status, body = await api.request("PATCH", "/api/v1/namespaces/default/configmaps/a%0A", data=b"{}",
                                     headers={"Content-Type": "application/apply-patch+yaml"})
    assert status == 422 and body["details"]["kind"] == "PatchOptions"


async def test_405_wrong_method(api):
    status, body = await api.put("/api/v1/namespaces/default/configmaps", configmap("x"))
    assert status == 405
    assert_status(body, 405, "MethodNotAllowed")
    status, body = await api.post("/api/v1/namespaces/default/configmaps/x", configmap("x"))
    assert status == 405


async def test_413_body_too_large(api):
    big = configmap("big", {"blob": "x" * (3 * 1024 * 1024 + 10)})
    status, body = await api.post("/api/v1/namespaces/default/configmaps", big)
    assert status == 413
    assert_status(body, 413, "RequestEntityTooLarge")


async def test_415_unknown_content_type(api):
    status, body = await api.request("POST", "/api/v1/namespaces/default/configmaps", data=b"a=b",
                                     headers={"Content-Type": "text/plain"})
    assert status == 415
    assert_status(body, 415, "UnsupportedMediaType")


async def test_422_invalid_names_and_labels(api):
    bad = configmap("Bad_Name", labels={"bad key!": "x"})
    status, body = await api.post("/api/v1/namespaces/default/configmaps", bad)
    assert status == 422
    assert_status(body, 422, "Invalid")
    fields = {c["field"] for c in body["details"]["causes"]}
    assert fields == {"metadata.name", "metadata.labels"}
    assert body["details"]["kind"] == "ConfigMap" and body["details"]["name"] == "Bad_Name"
    assert body["message"].startswith('ConfigMap "Bad_Name" is invalid: [metadata.name: Invalid value: "Bad_Name"')
    status, body = await api.post("/api/v1/namespaces/default/configmaps", {"metadata": {}})
    assert status == 422 and body["details"]["causes"][0]["field"] == "metadata.name"


async def test_401_bad_token_and_no_anonymous(replica_factory, tmp_path, pki):
    tokens = write_token_file(tmp_path / "tokens.csv", ['good-token,alice,uid-1,"devs,ops"'])
    replica = replica_factory(f"--token-auth-file={tokens}", "--anonymous-auth=false")
    plain = ssl.create_default_context(cafile=str(pki.ca_cert))
    client = Api(replica.url, plain, {"Authorization": "Bearer wrong-token"})
    try:
        status, body = await client.get("/api/v1/namespaces")
        assert status == 401
        assert_status(body, 401, "Unauthorized")
        client.headers = {}
        status, body = await client.get("/api/v1/namespaces")
        assert status == 401
        client.headers = {"Authorization": "Bearer good-token"}
        status, body = await client.get("/api/v1/namespaces")
        assert status == 200
    finally:
        await client.close()


async def test_403_forbidden(replica_factory, pki, tmp_path):
    tokens = write_token_file(tmp_path / "tokens.csv", ["bob-token,bob,uid-2"])
    replica = replica_factory("--authorization-mode=AlwaysDeny", f"--token-auth-file={tokens}")
    client = Api(replica.url, ssl.create_default_context(cafile=str(pki.ca_cert)),
                 {"Authorization": "Bearer bob-token"})
    admin = Api(replica.url, client_context(pki))
    try:
        status, body = await client.get("/api/v1/namespaces/default/configmaps/c")
        assert status == 403
        assert_status(body, 403, "Forbidden")
        assert body["message"].startswith('configmaps "c" is forbidden: User "bob" cannot get resource '
                                          '"configmaps" in API group "" in the namespace "default"')
        # system:masters is allowed before any mode is asked, as in kube-apiserver
        status, _ = await admin.get("/api/v1/namespaces/default/configmaps")
        assert status == 200
    finally:
        await client.close()
        await admin.close()


async def test_429_too_many_mutating_requests(replica_factory, pki):
    replica = replica_factory("--max-mutating-requests-inflight=1")
    host, port = "127.0.0.1", replica.spec.port
    # hold the only mutating seat: send headers promising a body that never comes
    reader, writer = await asyncio.open_connection(host, port, ssl=client_context(pki), server_hostname="localhost")
    writer.write(b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: localhost\r\n"
                 b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
    await writer.drain()
    client = Api(replica.url, client_context(pki))
    try:
        async def seat_taken() -> bool:
            # a dry run is a mutating request that leaves nothing behind while the seat is still free
            status, _ = await client.post("/api/v1/namespaces/default/configmaps", configmap("x"),
                                          params={"dryRun": "All"})
            return status == 429

        await eventually(seat_taken, what="the held POST holding the only mutating seat")
        status, body = await client.post("/api/v1/namespaces/default/configmaps", configmap("x"))
        assert status == 429
        assert_status(body, 429, "TooManyRequests")
        status, _ = await client.get("/api/v1/namespaces/default/configmaps")
        assert status == 200
    finally:
        writer.close()
        await client.close()


async def test_500_undecodable_object_without_traceback(api, apiserver, etcd_cluster, pki, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    await root_ca_published(api, ns)
    key = f"{apiserver.prefix}/configmaps/{ns}/broken"
    etcdctl(etcd_cluster, pki, "put", key, "this is not json")
    try:
        status, body = await api.get(f"/api/v1/namespaces/{ns}/configmaps/broken")
        assert status == 500
        assert_status(body, 500, "InternalError")
        assert "broken" in body["message"]
        # one bad value does not take the cached list down
        await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("fine"))

        async def cached_list_has_it() -> bool:
            status, body = await api.get(f"/api/v1/namespaces/{ns}/configmaps", params={"resourceVersion": "0"})
            assert status == 200, body
            return [i["metadata"]["name"] for i in body["items"]] == ["fine", ROOT_CA_CONFIGMAP]

        await eventually(cached_list_has_it)
    finally:
        # the replica is shared: a cluster-wide list from etcd would fail on this value in later tests
        etcdctl(etcd_cluster, pki, "del", key)


async def test_503_and_504_when_etcd_is_gone_or_frozen(replica_factory, etcd_cluster_factory, pki):
    etcd = etcd_cluster_factory(members=1)
    replica = replica_factory("--request-timeout=2s", etcd_servers=etcd.servers_flag)
    client = Api(replica.url, client_context(pki))
    try:
        assert (await client.get("/api/v1/namespaces"))[0] == 200
        pid = etcd.members[0].pid
        os.kill(pid, signal.SIGSTOP)
        try:
            await eventually(lambda: process_stopped(pid), what="etcd stopped")
            status, body = await client.get("/api/v1/namespaces")
            assert status == 504, body
            assert_status(body, 504, "Timeout")
        finally:
            os.kill(pid, signal.SIGCONT)
        assert (await client.get("/api/v1/namespaces"))[0] == 200
        etcd.kill_member(0)

        async def etcd_check_failing() -> str:
            status, text = await client.get("/readyz", params={"verbose": "1"})
            assert status == 500, text
            return text

        # once the replica has noticed etcd is gone
        text = await eventually(etcd_check_failing)
        assert "[-]etcd failed" in text and "readyz check failed" in text
        status, body = await client.get("/api/v1/namespaces")
        assert status == 503, body
        assert_status(body, 503, "ServiceUnavailable")
    finally:
        await client.close()
        replica.stop()
