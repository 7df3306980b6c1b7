"""Encryption at rest against real replicas and real etcd: what lands in etcd, fallbacks, failures, reloads."""
from __future__ import annotations

import base64
import uuid

import pytest

from tests.integration.conftest import make_namespace
from tests.integration.encryption_tools import (
    PLAINTEXT,
    aescbc,
    assert_encrypted,
    etcd_key,
    key_secret,
    metric_lines,
    migrate,
    secret_body,
    until_cached_secrets_hold,
    write_config,
)
from tests.integration.etcd_tools import raw_value
from tests.polling import eventually


@pytest.mark.parametrize("provider, size", [("aescbc", 32), ("aesgcm", 16), ("secretbox", 32)])
async def test_each_provider_round_trips(replica_factory, etcd_cluster, pki, tmp_path, client, provider, size):
    entry = f"{{{provider}: {{keys: [{{name: key1, secret: {key_secret(size)}}}]}}}}"
    config = write_config(tmp_path / "enc.yaml", entry)
    replica = replica_factory(f"--encryption-provider-config={config}")
    api = client(replica)
    ns = f"enc-{uuid.uuid4().hex[:8]}"
    await make_namespace(api, ns)
    status, created = await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body("s1"))
    assert status == 201, created
    assert_encrypted(raw_value(etcd_cluster, pki, etcd_key(replica, ns, "s1")), f"k8s:enc:{provider}:v1:key1:".encode())

    status, got = await api.get(f"/api/v1/namespaces/{ns}/secrets/s1")
    assert status == 200 and base64.b64decode(got["data"]["password"]).decode() == PLAINTEXT
    got["data"]["extra"] = base64.b64encode(b"more").decode()
    status, updated = await api.put(f"/api/v1/namespaces/{ns}/secrets/s1", got)
    assert status == 200, updated
    status, listed = await api.get(f"/api/v1/namespaces/{ns}/secrets")
    assert status == 200 and [i["data"].get("extra") for i in listed["items"]] == ["bW9yZQ=="], listed
    await until_cached_secrets_hold(api, ns, "bW9yZQ==")
    # configmaps are not listed in the file: plaintext
    status, _ = await api.post(f"/api/v1/namespaces/{ns}/configmaps",
                               {"metadata": {"name": "c"}, "data": {"k": PLAINTEXT}})
    assert status == 201
    assert PLAINTEXT.encode() in raw_value(etcd_cluster, pki, f"{replica.prefix}/configmaps/{ns}/c")
    lines = await metric_lines(api, "apiserver_storage_transformation_operations_total")
    assert any(f'transformer_prefix="k8s:enc:{provider}:v1:"' in line and 'status="OK"' in line
               and 'transformation_type="to_storage"' in line for line in lines), lines


async def test_plaintext_secret_stays_readable_and_migration_encrypts_it(replica_factory, etcd_cluster, pki,
                                                                          tmp_path, client):
    plain = replica_factory()
    api = client(plain)
    ns = f"enc-{uuid.uuid4().hex[:8]}"
    await make_namespace(api, ns)
    for name in ("old1", "old2"):
        assert (await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body(name)))[0] == 201
    assert raw_value(etcd_cluster, pki, etcd_key(plain, ns, "old1")).startswith(b"{")

    config = write_config(tmp_path / "enc.yaml", aescbc("k1", key_secret()), "{identity: {}}")
    encrypted = replica_factory(f"--encryption-provider-config={config}", prefix=plain.prefix)
    api = client(encrypted)
    status, got = await api.get(f"/api/v1/namespaces/{ns}/secrets/old1")
    assert status == 200 and base64.b64decode(got["data"]["password"]).decode() == PLAINTEXT
    assert (await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body("new")))[0] == 201
    assert_encrypted(raw_value(etcd_cluster, pki, etcd_key(plain, ns, "new")), b"k8s:enc:aescbc:v1:k1:")

    out = migrate(pki, etcd_cluster, plain, config, "secrets")
    assert "secrets: 2 rewritten, 1 already current, 0 failed" in out, out
    for name in ("old1", "old2"):
        assert_encrypted(raw_value(etcd_cluster, pki, etcd_key(plain, ns, name)), b"k8s:enc:aescbc:v1:k1:")
    status, listed = await api.get(f"/api/v1/namespaces/{ns}/secrets")
    assert status == 200 and sorted(i["metadata"]["name"] for i in listed["items"]) == ["new", "old1", "old2"]
    # a second run has nothing left to do
    assert "secrets: 0 rewritten, 3 already current, 0 failed" in migrate(pki, etcd_cluster, plain, config, "secrets")


async def test_value_under_an_unknown_key_is_a_500_for_it_and_its_lists(replica_factory, etcd_cluster, pki,
                                                                        tmp_path, client):
    k1 = key_secret()
    writer_config = write_config(tmp_path / "a.yaml", aescbc("k1", k1))
    writer = replica_factory(f"--encryption-provider-config={writer_config}")
    ns = f"enc-{uuid.uuid4().hex[:8]}"
    api = client(writer)
    await make_namespace(api, ns)
    before = (await api.get(f"/api/v1/namespaces/{ns}"))[1]["metadata"]["resourceVersion"]
    status, lost = await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body("lost"))
    assert status == 201
    assert (await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body("vanishing")))[0] == 201

    k2 = key_secret()
    reader_config = write_config(tmp_path / "b.yaml", aescbc("k2", k2))
    reader = replica_factory(f"--encryption-provider-config={reader_config}",
                             "--encryption-provider-config-automatic-reload", prefix=writer.prefix)
    api = client(reader)
    status, body = await api.get(f"/api/v1/namespaces/{ns}/secrets/lost")
    assert status == 500 and body["reason"] == "InternalError", body
    assert body["message"] == "Internal error occurred: no matching key was found for the provided AES transformer"
    key = etcd_key(writer, ns, "lost")
    for params in ({}, {"resourceVersion": "0"}):
        status, body = await api.get(f"/api/v1/namespaces/{ns}/secrets", params=params)
        assert status == 500, body
        assert body["message"] == (f'Internal error occurred: unable to transform key "{key}": '
                                   "no matching key was found for the provided AES transformer")
    status, body = await api.get("/api/v1/secrets", params={"resourceVersion": "0"})
    assert status == 500, body
    # writes that must read it first fail the same way
    lost["data"]["more"] = "eA=="
    assert (await api.put(f"/api/v1/namespaces/{ns}/secrets/lost", lost))[0] == 500
    assert (await api.delete(f"/api/v1/namespaces/{ns}/secrets/lost"))[0] == 500
    # a watch from before the reader's cache begins is served by etcd: it ends with kube's ERROR event
    events = await api.watch(f"/api/v1/namespaces/{ns}/secrets", {"resourceVersion": before})
    assert [e["type"] for e in events] == ["ERROR"], events
    assert events[0]["object"]["code"] == 500
    assert events[0]["object"]["message"].endswith("no matching key was found for the provided AES transformer")
    # the rest of the replica is unaffected: its watch cache lives on, other resources list, it stays ready
    status, _ = await api.get(f"/api/v1/namespaces/{ns}/configmaps")
    assert status == 200
    assert (await api.get("/readyz"))[0] == 200
    assert (await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body("fresh")))[0] == 201

    async def fresh_cached() -> bool:
        status, got = await api.get(f"/api/v1/namespaces/{ns}/secrets/fresh", params={"resourceVersion": "0"})
        assert status in (200, 404), got
        return status == 200

    await eventually(fresh_cached, what="the watch cache serving the new Secret")
    lines = await metric_lines(api, "apiserver_storage_transformation_operations_total")
    assert any('transformation_type="from_storage"' in line and 'transformer_prefix="k8s:enc:aescbc:v1:"' in line
               and 'status="unknown-non-grpc"' in line for line in lines), lines
    # deleting one through the writer (which holds its key) clears that flag in the reader's cache
    assert (await client(writer).delete(f"/api/v1/namespaces/{ns}/secrets/vanishing"))[0] == 200

    async def gone() -> bool:
        return (await api.get(f"/api/v1/namespaces/{ns}/secrets/vanishing", params={"resourceVersion": "0"}))[0] == 404
    await eventually(gone)
    assert (await api.get(f"/api/v1/namespaces/{ns}/secrets", params={"resourceVersion": "0"}))[0] == 500
    # once the reader is given the writer's key, its cache reads the other again
    write_config(reader_config, f"{{aescbc: {{keys: [{{name: k2, secret: {k2}}}, {{name: k1, secret: {k1}}}]}}}}")

    async def listable() -> bool:
        status, body = await api.get(f"/api/v1/namespaces/{ns}/secrets", params={"resourceVersion": "0"})
        return status == 200 and sorted(i["metadata"]["name"] for i in body["items"]) == ["fresh", "lost"]
    await eventually(listable)
    assert (await api.get(f"/api/v1/namespaces/{ns}/secrets/lost", params={"resourceVersion": "0"}))[0] == 200


async def test_automatic_reload_picks_up_a_new_key_and_survives_a_bad_file(replica_factory, etcd_cluster, pki,
                                                                          tmp_path, client):
    config = tmp_path / "enc.yaml"
    k1, k2 = key_secret(), key_secret()
    write_config(config, aescbc("k1", k1))
    replica = replica_factory(f"--encryption-provider-config={config}", "--encryption-provider-config-automatic-reload")
    api = client(replica)
    assert (await api.get("/healthz/kms-providers"))[0] == 200
    ns = f"enc-{uuid.uuid4().hex[:8]}"
    await make_namespace(api, ns)
    assert (await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body("before")))[0] == 201

    write_config(config, f"{{aescbc: {{keys: [{{name: k2, secret: {k2}}}, {{name: k1, secret: {k1}}}]}}}}")
    counter = 0

    async def writes_with_k2() -> bool:
        nonlocal counter
        counter += 1
        name = f"probe-{counter}"
        assert (await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body(name)))[0] == 201
        return raw_value(etcd_cluster, pki, etcd_key(replica, ns, name)).startswith(b"k8s:enc:aescbc:v1:k2:")
    await eventually(writes_with_k2)
    assert (await api.get(f"/api/v1/namespaces/{ns}/secrets/before"))[0] == 200
    assert any('status="success"' in line and line.endswith(" 1.0") for line in await metric_lines(
        api, "apiserver_encryption_config_controller_automatic_reloads_total"))

    config.write_text("apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources: []\n")

    async def failure_counted() -> bool:
        return any('status="failure"' in line and line.endswith(" 1.0") for line in await metric_lines(
            api, "apiserver_encryption_config_controller_automatic_reloads_total"))
    await eventually(failure_counted)
    assert (await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body("after-bad")))[0] == 201
    assert raw_value(etcd_cluster, pki, etcd_key(replica, ns, "after-bad")).startswith(b"k8s:enc:aescbc:v1:k2:")
    assert replica.process.poll() is None
