"""--storage-media-type against real replicas and real etcd: one prefix written by a JSON replica, then by a
protobuf one, then by a YAML one; every replica reads every encoding, and an update rewrites in its own."""
from __future__ import annotations

import asyncio
import base64
import uuid

import orjson
import yaml
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from apiserver.api.protobuf import decode_body
from apiserver.api.protobuf.envelope import open_envelope
from tests.integration.conftest import configmap, make_namespace, root_ca_published
from tests.integration.encryption_tools import (
    PLAINTEXT,
    aescbc,
    key_secret,
    migrate,
    secret_body,
    write_config,
)
from tests.integration.etcd_tools import raw_value
from tests.polling import eventually

PROTOBUF = "application/vnd.kubernetes.protobuf"
ENC_PREFIX = b"k8s:enc:aescbc:v1:k1:"


def deployment(name: str) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def decrypt(raw: bytes, secret: str) -> bytes:
    """aescbc as kube lays it out: prefix, 16-byte IV, AES-CBC of the PKCS#7-padded plaintext."""
    assert raw.startswith(ENC_PREFIX), raw[:40]
    body = raw[len(ENC_PREFIX):]
    decryptor = Cipher(algorithms.AES(base64.b64decode(secret)), modes.CBC(body[:16])).decryptor()
    plain = decryptor.update(body[16:]) + decryptor.finalize()
    return plain[:-plain[-1]]


async def create_three(api, ns: str, name: str) -> dict[str, dict]:
    """A ConfigMap, a Deployment and a Secret named `name`, as the server answered them, by kind."""
    created: dict[str, dict] = {}
    for path, body in ((f"/api/v1/namespaces/{ns}/configmaps", configmap(name, {"k": "v"})),
                       (f"/apis/apps/v1/namespaces/{ns}/deployments", deployment(name)),
                       (f"/api/v1/namespaces/{ns}/secrets", secret_body(name))):
        status, obj = await api.post(path, body)
        assert status == 201, obj
        created[obj["kind"]] = obj
    return created


class Stored:
    """What etcd holds under one replica prefix, secrets decrypted."""

    def __init__(self, etcd_cluster, pki, prefix: str, ns: str, secret: str) -> None:
        self.etcd_cluster, self.pki, self.prefix, self.ns, self.secret = etcd_cluster, pki, prefix, ns, secret

    def value(self, resource: str, name: str) -> bytes:
        raw = raw_value(self.etcd_cluster, self.pki, f"{self.prefix}/{resource}/{self.ns}/{name}")
        assert raw is not None
        if resource == "secrets":
            assert PLAINTEXT.encode() not in raw
            return decrypt(raw, self.secret)
        return raw

    def assert_json(self, resource: str, name: str) -> None:
        assert orjson.loads(self.value(resource, name))["metadata"]["name"] == name

    def assert_protobuf(self, resource: str, name: str, api_version: str, kind: str) -> None:
        value = self.value(resource, name)
        assert value.startswith(b"k8s\x00")
        envelope = open_envelope(value)   # what `etcdctl get` shows: the stored apiVersion and kind
        assert (envelope.api_version, envelope.kind) == (api_version, kind)
        assert "resourceVersion" not in decode_body(value)["metadata"]

    def assert_yaml(self, resource: str, name: str) -> None:
        value = self.value(resource, name)
        assert value.startswith(b"apiVersion: ")
        assert yaml.safe_load(value)["metadata"]["name"] == name


async def test_switching_media_type_keeps_every_object_readable(replica_factory, etcd_cluster, pki, tmp_path,
                                                                client):
    secret = key_secret()
    config = write_config(tmp_path / "enc.yaml", aescbc("k1", secret))
    encryption = f"--encryption-provider-config={config}"
    json_replica = replica_factory(encryption)
    api = client(json_replica)
    ns = f"mt-{uuid.uuid4().hex[:8]}"
    stored = Stored(etcd_cluster, pki, json_replica.prefix, ns, secret)
    await make_namespace(api, ns)
    # published now, so that it does not show up in the watch below
    await root_ca_published(api, ns)
    old = await create_three(api, ns, "old")
    for resource in ("configmaps", "deployments", "secrets"):
        stored.assert_json(resource, "old")
    json_replica.stop()

    pb_replica = replica_factory(encryption, f"--storage-media-type={PROTOBUF}", prefix=json_replica.prefix)
    api = client(pb_replica)
    for path, kind in ((f"/api/v1/namespaces/{ns}/configmaps/old", "ConfigMap"),
                       (f"/apis/apps/v1/namespaces/{ns}/deployments/old", "Deployment"),
                       (f"/api/v1/namespaces/{ns}/secrets/old", "Secret")):
        status, got = await api.get(path)
        assert status == 200 and got == old[kind], got
    status, listed = await api.get(f"/api/v1/namespaces/{ns}/configmaps")
    assert status == 200
    watch = asyncio.create_task(api.watch(f"/api/v1/namespaces/{ns}/configmaps",
                                          {"resourceVersion": listed["metadata"]["resourceVersion"]},
                                          until=lambda events: len(events) == 2))
    await asyncio.sleep(0.3)
    new = await create_three(api, ns, "new")
    stored.assert_protobuf("configmaps", "new", "v1", "ConfigMap")
    stored.assert_protobuf("deployments", "new", "apps/v1", "Deployment")
    stored.assert_protobuf("secrets", "new", "v1", "Secret")
    stored.assert_json("configmaps", "old")

    # an update of an old object, even one that changes nothing, writes it in the new media type
    changed = {**old["ConfigMap"], "data": {"k": "changed"}}
    status, updated = await api.put(f"/api/v1/namespaces/{ns}/configmaps/old", changed)
    assert status == 200, updated
    status, same = await api.put(f"/apis/apps/v1/namespaces/{ns}/deployments/old", old["Deployment"])
    assert status == 200 and same["metadata"]["resourceVersion"] != old["Deployment"]["metadata"]["resourceVersion"]
    stored.assert_protobuf("configmaps", "old", "v1", "ConfigMap")
    stored.assert_protobuf("deployments", "old", "apps/v1", "Deployment")
    stored.assert_json("secrets", "old")
    # a protobuf-stored object reads back without the empty structs defaulting adds (resources: {}); sending
    # it back with a new label is no spec change, so the generation stays, as with kube's typed comparison
    status, got = await api.get(f"/apis/apps/v1/namespaces/{ns}/deployments/new")
    assert status == 200 and "resources" not in got["spec"]["template"]["spec"]["containers"][0]
    got["metadata"]["labels"] = {"relabelled": "yes"}
    status, relabelled = await api.put(f"/apis/apps/v1/namespaces/{ns}/deployments/new", got)
    assert status == 200 and relabelled["metadata"]["generation"] == 1, relabelled
    relabelled["spec"]["replicas"] = 5
    status, scaled = await api.put(f"/apis/apps/v1/namespaces/{ns}/deployments/new", relabelled)
    assert status == 200 and scaled["metadata"]["generation"] == 2, scaled
    # the same for kube's pod update rules: only the image changes, whatever protobuf left out of the stored pod
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "nginx:1"}]}}
    assert (await api.post(f"/api/v1/namespaces/{ns}/pods", pod))[0] == 201
    status, patched = await api.request("PATCH", f"/api/v1/namespaces/{ns}/pods/p",
                                        {"spec": {"containers": [{"name": "c", "image": "nginx:2"}]}},
                                        headers={"Content-Type": "application/strategic-merge-patch+json"})
    assert status == 200 and patched["spec"]["containers"][0]["image"] == "nginx:2", patched

    events = await watch
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "new"), ("MODIFIED", "old")]
    assert events[0]["object"] == new["ConfigMap"] and events[1]["object"] == updated

    async def secrets_listed(params: dict) -> list[dict]:
        status, secrets = await api.get(f"/api/v1/namespaces/{ns}/secrets", params=params)
        assert status == 200 and [i["metadata"]["name"] for i in secrets["items"]] == ["new", "old"], secrets
        return secrets["items"]

    # from etcd, and from the watch cache, which has the new Secret a moment after the write
    for items in (await secrets_listed({}), await eventually(lambda: secrets_listed({"resourceVersion": "0"}),
                                                             what="the watch cache listing both Secrets")):
        assert base64.b64decode(items[1]["data"]["password"]).decode() == PLAINTEXT
    pb_replica.stop()

    yaml_replica = replica_factory(encryption, "--storage-media-type=application/yaml", prefix=json_replica.prefix)
    api = client(yaml_replica)
    status, created = await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body("yaml"))
    assert status == 201, created
    stored.assert_yaml("secrets", "yaml")
    # three encodings side by side, read in one list, one cached list and one watch replay
    status, secrets = await api.get(f"/api/v1/namespaces/{ns}/secrets")
    assert status == 200 and [i["metadata"]["name"] for i in secrets["items"]] == ["new", "old", "yaml"]
    assert secrets["items"][0] == new["Secret"] and secrets["items"][1] == old["Secret"]

    async def cached_list_current() -> bool:
        status, cached = await api.get(f"/api/v1/namespaces/{ns}/secrets", params={"resourceVersion": "0"})
        assert status == 200, cached
        return cached["items"] == secrets["items"]

    await eventually(cached_list_current, what="the watch cache listing the three Secrets as etcd does")
    events = await api.watch(f"/api/v1/namespaces/{ns}/secrets", {"resourceVersion": "0"},
                             until=lambda events: len(events) == 3)
    assert sorted(e["object"]["metadata"]["name"] for e in events) == ["new", "old", "yaml"]
    status, got = await api.get(f"/apis/apps/v1/namespaces/{ns}/deployments/new")
    assert status == 200 and got == scaled

    # the migration command rewrites what is not yet in the media type it is given, and only that
    to_protobuf = f"--storage-media-type={PROTOBUF}"
    out = migrate(pki, etcd_cluster, yaml_replica, config, to_protobuf, "secrets")
    assert "secrets: 2 rewritten, 1 already current, 0 failed" in out, out
    for name in ("new", "old", "yaml"):
        stored.assert_protobuf("secrets", name, "v1", "Secret")
    assert "secrets: 0 rewritten, 3 already current" in migrate(pki, etcd_cluster, yaml_replica, config, to_protobuf,
                                                                 "secrets")
    status, after = await api.get(f"/api/v1/namespaces/{ns}/secrets")
    assert status == 200 and [i["data"] for i in after["items"]] == [i["data"] for i in secrets["items"]]
