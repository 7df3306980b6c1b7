"""Helpers of the encryption-at-rest tests: configuration files, Secrets, the migration command, metrics."""
from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

from tests.integration.conftest import Api
from tests.polling import eventually

PLAINTEXT = "correct-horse-battery-staple"


def key_secret(size: int = 32) -> str:
    return base64.b64encode(os.urandom(size)).decode()


def write_config(path: Path, *providers: str, resources: str = "secrets") -> Path:
    """providers as YAML flow mappings, e.g. `{aescbc: {keys: [{name: k1, secret: ...}]}}`, first one writes."""
    items = "\n".join(f"      - {p}" for p in providers)
    text = (f"apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n"
            f"  - resources: [{resources}]\n    providers:\n{items}\n")
    # replace atomically, as an operator's tooling would, so a reloading replica never reads half a file
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return path


def aescbc(name: str, secret: str) -> str:
    return f"{{aescbc: {{keys: [{{name: {name}, secret: {secret}}}]}}}}"


def secret_body(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
            "data": {"password": base64.b64encode(PLAINTEXT.encode()).decode()}}


def etcd_key(replica, ns: str, name: str) -> str:
    return f"{replica.prefix}/secrets/{ns}/{name}"


def assert_encrypted(raw: bytes | None, prefix: bytes) -> None:
    assert raw is not None and raw.startswith(prefix), raw[:40] if raw else raw
    assert PLAINTEXT.encode() not in raw and base64.b64encode(PLAINTEXT.encode()) not in raw


def migrate(pki, cluster, replica, config: Path, *resources: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "apiserver.migrate", f"--etcd-servers={cluster.servers_flag}",
         f"--etcd-cafile={pki.etcd_ca_cert}", f"--etcd-certfile={pki.etcd_client_cert}",
         f"--etcd-keyfile={pki.etcd_client_key}", f"--etcd-prefix={replica.prefix}",
         f"--encryption-provider-config={config}", *resources],
        capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


async def metric_lines(api: Api, name: str) -> list[str]:
    status, text = await api.get("/metrics")
    assert status == 200
    return [line for line in text.splitlines() if line.startswith(name)]


async def until_cached_secrets_hold(api: Api, ns: str, extra: str) -> None:
    """The watch cache serves a write some moments after it is acknowledged, as kube's does: wait for the
    resourceVersion=0 list of the namespace's Secrets to show `extra` in their only item."""
    async def cached_list_updated() -> bool:
        status, cached = await api.get(f"/api/v1/namespaces/{ns}/secrets", params={"resourceVersion": "0"})
        assert status == 200, cached
        return [i["data"].get("extra") for i in cached["items"]] == [extra]

    await eventually(cached_list_updated, what="the watch cache serving the update")
