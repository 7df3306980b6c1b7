"""The key rotation procedure of docs/encryption.md, end to end, on two replicas sharing one configuration file
while a client keeps reading and writing Secrets through both: not one request may fail."""
from __future__ import annotations

import asyncio
import itertools
import uuid

from tests.integration.conftest import make_namespace
from tests.integration.encryption_tools import (
    assert_encrypted,
    key_secret,
    metric_lines,
    migrate,
    secret_body,
    write_config,
)
from tests.integration.etcd_tools import etcdctl, raw_value
from tests.polling import eventually

RELOADS = "apiserver_encryption_config_controller_automatic_reloads_total"


def keys(*pairs: tuple[str, str]) -> str:
    return "{aescbc: {keys: [" + ", ".join(f"{{name: {n}, secret: {s}}}" for n, s in pairs) + "]}}"


async def reloads(api) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in await metric_lines(api, RELOADS)
               if 'status="success"' in line)


async def test_rotation_across_two_replicas_without_a_failed_request(replica_factory, etcd_cluster, pki, tmp_path,
                                                                     client):
    old, new = ("old", key_secret()), ("new", key_secret())
    config = write_config(tmp_path / "enc.yaml", keys(old))
    flags = (f"--encryption-provider-config={config}", "--encryption-provider-config-automatic-reload")
    first = replica_factory(*flags)
    second = replica_factory(*flags, prefix=first.prefix)
    apis = [client(first), client(second)]
    ns = f"rot-{uuid.uuid4().hex[:8]}"
    await make_namespace(apis[0], ns)
    names = [f"s{i}" for i in range(20)]
    for i, name in enumerate(names):
        assert (await apis[i % 2].post(f"/api/v1/namespaces/{ns}/secrets", secret_body(name)))[0] == 201

    failures: list[str] = []
    counts = {"reads": 0, "writes": 0}
    stop = asyncio.Event()

    async def load() -> None:
        for i in itertools.count():
            if stop.is_set():
                return
            api = apis[i % 2]
            name = names[i % len(names)]
            status, body = await api.get(f"/api/v1/namespaces/{ns}/secrets/{name}")
            counts["reads"] += 1
            if status != 200:
                failures.append(f"GET {name} via replica {i % 2}: {status} {body}")
            if i % 5 == 0:
                status, body = await api.get(f"/api/v1/namespaces/{ns}/secrets")
                counts["reads"] += 1
                if status != 200:
                    failures.append(f"LIST via replica {i % 2}: {status} {body}")
            if i % 10 == 0:
                written = f"w{i}"
                status, body = await api.post(f"/api/v1/namespaces/{ns}/secrets", secret_body(written))
                counts["writes"] += 1
                if status != 201:
                    failures.append(f"POST {written} via replica {i % 2}: {status} {body}")
                else:
                    names.append(written)

    async def rewrite_config(provider: str) -> None:
        before = [await reloads(api) for api in apis]
        write_config(config, provider)

        async def everyone_reloaded() -> bool:
            return all([await reloads(api) > count for api, count in zip(apis, before, strict=True)])
        await eventually(everyone_reloaded)

    loader = asyncio.create_task(load())
    try:
        await asyncio.sleep(0.5)
        await rewrite_config(keys(old, new))      # 2. the new key second: everyone can read it
        await asyncio.sleep(0.5)
        await rewrite_config(keys(new, old))      # 3. the new key first: everyone writes with it
        await asyncio.sleep(0.5)
        out = await asyncio.to_thread(migrate, pki, etcd_cluster, first, config, "secrets")   # 4.
        assert "0 failed" in out, out
        await rewrite_config(keys(new))           # 5. the old key goes
        await asyncio.sleep(1.0)
    finally:
        stop.set()
        await loader
    assert not failures, failures[:5]
    assert counts["reads"] > 50 and counts["writes"] > 3, counts

    listed = etcdctl(etcd_cluster, pki, "get", f"{first.prefix}/secrets/{ns}/", "--prefix", "--keys-only")
    stored = [k for k in listed.split() if k]
    assert len(stored) == len(names)
    for key in stored:
        assert_encrypted(raw_value(etcd_cluster, pki, key), b"k8s:enc:aescbc:v1:new:")
