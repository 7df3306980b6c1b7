"""KMS v2 encryption at rest against a real plugin process, real replicas and real etcd."""
from __future__ import annotations

import base64
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from apiserver.storage.kmsv2.encrypted_object_pb2 import (
    HKDF_SHA256_XNONCE_AES_GCM_SEED,
    EncryptedObject,
)
from cluster.kmsplugin import KMSPluginProcess
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

PREFIX = b"k8s:enc:kms:v2:local:"
# kube polls the plugin every minute and lets a write seed live 3 minutes; shortened to see both happen
FAST = ("--encryption-kms-v2-status-interval=1s", "--encryption-kms-v2-write-dek-max-ttl=3s")


@pytest.fixture
def plugin(tmp_path):
    # unix socket paths are limited to ~108 bytes: pytest's tmp_path can be longer
    short = Path(tempfile.mkdtemp(prefix="kms-", dir="/tmp"))
    process = KMSPluginProcess(short / "kms.sock", tmp_path / "keys.json", tmp_path / "plugin.log")
    process.start()
    yield process
    process.stop()
    shutil.rmtree(short, ignore_errors=True)


def kms_config(path: Path, plugin: KMSPluginProcess, timeout: str = "3s") -> Path:
    return write_config(path, f"{{kms: {{apiVersion: v2, name: local, endpoint: '{plugin.endpoint}', "
                              f"timeout: {timeout}}}}}", "{identity: {}}")


def envelope(raw: bytes) -> EncryptedObject:
    obj = EncryptedObject()
    obj.ParseFromString(raw[len(PREFIX):])
    return obj


async def test_round_trip_and_stored_bytes(replica_factory, etcd_cluster, pki, tmp_path, client, plugin):
    replica = replica_factory(f"--encryption-provider-config={kms_config(tmp_path / 'enc.yaml', plugin)}")
    api = client(replica)
    ns = f"kms-{uuid.uuid4().hex[:8]}"
    await make_namespace(api, ns)
    status, created = await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body("s1"))
    assert status == 201, created

    raw = raw_value(etcd_cluster, pki, etcd_key(replica, ns, "s1"))
    assert_encrypted(raw, PREFIX)
    stored = envelope(raw)
    assert stored.keyID == "key-1" and stored.encryptedDEKSourceType == HKDF_SHA256_XNONCE_AES_GCM_SEED
    assert 0 < len(stored.encryptedDEKSource) <= 1024
    # 32-byte KDF info + 12-byte nonce + ciphertext + 16-byte tag
    assert len(stored.encryptedData) > 32 + 12 + 16

    status, got = await api.get(f"/api/v1/namespaces/{ns}/secrets/s1")
    assert status == 200 and base64.b64decode(got["data"]["password"]).decode() == PLAINTEXT
    got["data"]["extra"] = base64.b64encode(b"more").decode()
    assert (await api.put(f"/api/v1/namespaces/{ns}/secrets/s1", got))[0] == 200
    # one DEK seed backs every write of the replica
    assert envelope(raw_value(etcd_cluster, pki, etcd_key(replica, ns, "s1"))).encryptedDEKSource == \
        stored.encryptedDEKSource
    status, listed = await api.get(f"/api/v1/namespaces/{ns}/secrets")
    assert status == 200 and [i["data"].get("extra") for i in listed["items"]] == ["bW9yZQ=="], listed
    await until_cached_secrets_hold(api, ns, "bW9yZQ==")

    # a second replica has another seed, and reads the first one's through the plugin
    other = client(replica_factory(f"--encryption-provider-config={tmp_path / 'enc.yaml'}", prefix=replica.prefix))
    status, got = await other.get(f"/api/v1/namespaces/{ns}/secrets/s1")
    assert status == 200 and got["data"]["extra"] == "bW9yZQ=="

    assert await api.get("/readyz/kms-providers") == (200, "ok")
    status, text = await api.get("/healthz", params={"verbose": "1"})
    assert status == 200 and "[+]kms-providers ok" in text
    lines = await metric_lines(api, "apiserver_envelope_encryption_")
    assert any(line.startswith("apiserver_envelope_encryption_key_id_hash_total{") and 'provider_name="local"' in line
               and 'transformation_type="to_storage"' in line for line in lines), lines
    assert any('method_name="/v2.KeyManagementService/Encrypt"' in line and 'grpc_status_code="OK"' in line
               for line in lines), lines
    assert any(line.startswith("apiserver_envelope_encryption_key_id_hash_status_last_timestamp_seconds{")
               for line in lines), lines
    misses = await metric_lines(other, "apiserver_storage_envelope_transformation_cache_misses_total")
    assert misses and float(misses[0].split()[-1]) >= 1, misses


async def test_plugin_down_then_back(replica_factory, etcd_cluster, pki, tmp_path, client, plugin):
    config = kms_config(tmp_path / "enc.yaml", plugin, timeout="1s")
    replica = replica_factory(f"--encryption-provider-config={config}", *FAST)
    api = client(replica)
    ns = f"kms-{uuid.uuid4().hex[:8]}"
    await make_namespace(api, ns)
    assert (await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body("s1")))[0] == 201

    plugin.stop()
    # reads of a seed the replica holds need no plugin
    status, got = await api.get(f"/api/v1/namespaces/{ns}/secrets/s1")
    assert status == 200 and base64.b64decode(got["data"]["password"]).decode() == PLAINTEXT
    health: list[str] = []

    async def unhealthy() -> bool:
        status, text = await api.get("/readyz/kms-providers")
        health.append(text)
        return status == 500

    # a healthy answer is trusted for a while (20 s in kube, the poll interval here)
    await eventually(unhealthy, timeout=10)
    text = health[-1]
    assert "kms-provider-0: failed to perform status section of the healthz check for KMS Provider local" in text
    assert "rpc error: code = " in text

    # writes coast on the current seed until it expires (3 s here, 3 min in kube), then fail
    failure: dict = {}

    async def write_fails() -> bool:
        status, body = await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body(f"w-{uuid.uuid4().hex[:6]}"))
        if status == 500:
            failure.update(body)
        return status == 500

    await eventually(write_fails, timeout=15)
    assert failure["kind"] == "Status" and failure["code"] == 500 and failure["reason"] == "InternalError"
    assert failure["message"].startswith('Internal error occurred: encryptedDEKSource with keyID hash "sha256:')
    assert "expired at" in failure["message"]

    plugin.start()

    async def write_works() -> bool:
        status, _ = await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body(f"b-{uuid.uuid4().hex[:6]}"))
        return status == 201

    await eventually(write_works, timeout=20)
    assert await api.get("/readyz/kms-providers") == (200, "ok")


async def test_key_rotation_and_migration(replica_factory, etcd_cluster, pki, tmp_path, client, plugin):
    config = kms_config(tmp_path / "enc.yaml", plugin)
    replica = replica_factory(f"--encryption-provider-config={config}", *FAST)
    api = client(replica)
    ns = f"kms-{uuid.uuid4().hex[:8]}"
    await make_namespace(api, ns)
    for name in ("s1", "s2"):
        assert (await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body(name)))[0] == 201

    def key_id(name: str) -> str:
        return envelope(raw_value(etcd_cluster, pki, etcd_key(replica, ns, name))).keyID

    assert plugin.rotate() == "key-2"
    # the replica sees the new key ID at its next Status and writes with a new seed
    created = iter(range(100))

    async def writes_with_new_key() -> bool:
        name = f"n{next(created)}"
        assert (await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body(name)))[0] == 201
        return key_id(name) == "key-2"

    await eventually(writes_with_new_key, timeout=15)
    assert key_id("s1") == "key-1"

    out = migrate(pki, etcd_cluster, replica, config, "secrets")
    assert "secrets: " in out and " 0 failed" in out and " 0 rewritten" not in out, out
    assert {key_id(name) for name in ("s1", "s2")} == {"key-2"}
    again = migrate(pki, etcd_cluster, replica, config, "secrets")
    assert "secrets: 0 rewritten" in again, again

    # the replica reads the values the migration wrote (another seed) through the plugin
    status, listed = await api.get(f"/api/v1/namespaces/{ns}/secrets")
    assert status == 200 and len(listed["items"]) >= 3
    assert all(base64.b64decode(i["data"]["password"]).decode() == PLAINTEXT for i in listed["items"])


async def test_reload_switches_to_kms(replica_factory, etcd_cluster, pki, tmp_path, client, plugin):
    path = tmp_path / "enc.yaml"
    aescbc_entry = aescbc("k1", key_secret())
    write_config(path, aescbc_entry)
    replica = replica_factory(f"--encryption-provider-config={path}", "--encryption-provider-config-automatic-reload")
    api = client(replica)
    ns = f"kms-{uuid.uuid4().hex[:8]}"
    await make_namespace(api, ns)
    assert (await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body("old")))[0] == 201
    assert await api.get("/readyz/kms-providers") == (200, "ok")   # reload on: present, nothing to probe

    # a plugin that does not answer: the new file is refused after kube's 10 s health wait, aescbc stays
    write_config(path, f"{{kms: {{apiVersion: v2, name: gone, endpoint: 'unix://{plugin.socket}.absent', "
                       "timeout: 1s}}", aescbc_entry)

    async def reload_failed() -> bool:
        lines = await metric_lines(api, "apiserver_encryption_config_controller_automatic_reloads_total")
        return any('status="failure"' in line and not line.endswith(" 0.0") for line in lines)

    await eventually(reload_failed, timeout=30)
    assert (await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body("still")))[0] == 201
    assert raw_value(etcd_cluster, pki, etcd_key(replica, ns, "still")).startswith(b"k8s:enc:aescbc:v1:k1:")

    write_config(path, f"{{kms: {{apiVersion: v2, name: local, endpoint: '{plugin.endpoint}'}}}}", aescbc_entry)
    created = iter(range(100))

    async def writes_with_kms() -> bool:
        name = f"n{next(created)}"
        assert (await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body(name)))[0] == 201
        return raw_value(etcd_cluster, pki, etcd_key(replica, ns, name)).startswith(PREFIX)

    await eventually(writes_with_kms, timeout=30)
    status, got = await api.get(f"/api/v1/namespaces/{ns}/secrets/old")
    assert status == 200 and base64.b64decode(got["data"]["password"]).decode() == PLAINTEXT
    assert await api.get("/readyz/kms-providers") == (200, "ok")


async def test_replica_started_before_its_plugin(replica_factory, etcd_cluster, pki, tmp_path, client, plugin):
    config = kms_config(tmp_path / "enc.yaml", plugin, timeout="1s")
    first = replica_factory(f"--encryption-provider-config={config}")
    api = client(first)
    ns = f"kms-{uuid.uuid4().hex[:8]}"
    await make_namespace(api, ns)
    assert (await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body("s1")))[0] == 201

    plugin.stop()
    late = replica_factory(f"--encryption-provider-config={config}", *FAST, prefix=first.prefix, wait=False)
    api = client(late)

    async def answers() -> bool:
        try:
            return (await api.get("/livez"))[0] == 200
        except OSError:
            return False

    await eventually(answers, timeout=30)
    # no write seed and no plugin: unready, and the Secret cannot be read from etcd nor from the watch cache
    status, text = await api.get("/readyz/kms-providers")
    assert status == 500 and "kms-provider-0: " in text
    for params in ({}, {"resourceVersion": "0"}):
        status, body = await api.get(f"/api/v1/namespaces/{ns}/secrets/s1", params=params)
        assert status == 500 and body["message"] == "Internal error occurred: got unexpected nil transformer", body

    plugin.start()

    async def cache_serves_it() -> bool:
        status, _ = await api.get(f"/api/v1/namespaces/{ns}/secrets/s1", params={"resourceVersion": "0"})
        return status == 200

    # the plugin's recovery makes the watch cache list the values it could not read again
    await eventually(cache_serves_it, timeout=20)
    assert (await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body("s2")))[0] == 201
