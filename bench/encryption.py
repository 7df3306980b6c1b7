"""The cost of encryption at rest: creates/s and GETs/s of Secrets through one replica per provider
(identity, aescbc, aesgcm, secretbox, kms v2 with the local plugin) against the same etcd cluster, measured
in turns over several rounds, as ratios to identity from the same run.

GETs carry no resourceVersion, so each one is read from etcd and decrypted (resourceVersion=0 would be
served from the watch cache, which holds objects already decrypted). `python -m bench` runs this after its
other measurements; `python -m bench.encryption` runs it alone.
"""
from __future__ import annotations

import base64
import os
import uuid
from pathlib import Path

import aiohttp
import orjson
import uvloop

from bench.measure import Result, accumulate, print_results, run_alone, run_for
from certs.pki import PkiPaths
from cluster.kmsplugin import KMSPluginProcess
from cluster.replica import ReplicaSpec, client_context, free_port, start_replica, stop_process, wait_ready
from etcd.launcher import EtcdCluster

# provider → its entry in the configuration (None: no configuration at all, Secrets stored in plaintext)
PROVIDERS: dict[str, str | None] = {
    "identity": None,
    "aescbc": "aescbc: {keys: [{name: k, secret: %s}]}" % base64.b64encode(os.urandom(32)).decode(),
    "aesgcm": "aesgcm: {keys: [{name: k, secret: %s}]}" % base64.b64encode(os.urandom(32)).decode(),
    "secretbox": "secretbox: {keys: [{name: k, secret: %s}]}" % base64.b64encode(os.urandom(32)).decode(),
    # the local plugin (kmsplugin/) on a socket in the run's scratch directory
    "kms": "kms: {apiVersion: v2, name: bench, endpoint: 'unix://%(socket)s'}",
}
SECRET_DATA = {"v": base64.b64encode(b"x" * 1000).decode()}   # ~1 KiB like the other benchmarks
ROUNDS = 3


def _config(root: Path, provider: str, entry: str) -> Path:
    path = root / f"encryption-{provider}.yaml"
    path.write_text("apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n"
                    f"  - resources: [secrets]\n    providers:\n      - {{{entry}}}\n")
    return path


class _Target:
    """One replica's Secrets in a namespace of their own, measured a slice at a time."""

    def __init__(self, provider: str, url: str, session: aiohttp.ClientSession) -> None:
        self.provider = provider
        self.session = session
        self.base = f"{url}/api/v1/namespaces/encbench-{uuid.uuid4().hex[:6]}/secrets"
        self.url = url
        self.created = 0

    async def setup(self) -> None:
        ns = self.base.split("/")[-2]
        async with self.session.post(f"{self.url}/api/v1/namespaces", data=orjson.dumps({"metadata": {"name": ns}}),
                                     headers={"Content-Type": "application/json"}) as resp:
            assert resp.status == 201, await resp.text()

    async def create(self, i: int) -> None:
        self.created += 1
        body = orjson.dumps({"metadata": {"name": f"s-{self.created}"}, "data": SECRET_DATA})
        async with self.session.post(self.base, data=body, headers={"Content-Type": "application/json"}) as resp:
            await resp.read()
            assert resp.status == 201, resp.status

    async def get(self, i: int) -> None:
        async with self.session.get(f"{self.base}/s-{i % min(self.created, 100) + 1}") as resp:
            await resp.read()
            assert resp.status == 200, resp.status


async def _measure(urls: dict[str, str], pki: PkiPaths, seconds: float, concurrency: int) -> list[Result]:
    """Every provider in turn, several rounds: drift in the machine's load then hits them all alike."""
    total: dict[str, Result] = {}
    connector = aiohttp.TCPConnector(ssl=client_context(pki), limit=concurrency * len(urls))
    async with aiohttp.ClientSession(connector=connector) as session:
        targets = [_Target(provider, url, session) for provider, url in urls.items()]
        for target in targets:
            await target.setup()
        for _ in range(ROUNDS):
            for t in targets:
                accumulate(total, await run_for(f"{t.provider} create", seconds / ROUNDS, concurrency, t.create))
                accumulate(total, await run_for(f"{t.provider} get", seconds / ROUNDS, concurrency, t.get))
    return list(total.values())


def bench_encryption(cluster: EtcdCluster, pki: PkiPaths, root: Path, seconds: float,
                     concurrency: int) -> list[Result]:
    """A replica per provider, all started first; only the one being measured has work at any moment."""
    processes = []
    urls: dict[str, str] = {}
    plugin = KMSPluginProcess(root / "kms.sock", root / "kms-keys.json", root / "kmsplugin.log")
    try:
        plugin.start()
        for provider, entry in PROVIDERS.items():
            flags = [f"--etcd-prefix=/encbench-{provider}"]
            if entry:
                entry = entry % {"socket": plugin.socket}
                flags.append(f"--encryption-provider-config={_config(root, provider, entry)}")
            spec = ReplicaSpec(pki=pki, etcd_servers=cluster.servers_flag, port=free_port(),
                               log_file=root / f"apiserver-{provider}.log", extra_flags=flags)
            processes.append(start_replica(spec))
            wait_ready(spec.url, pki, processes[-1], log_file=spec.log_file)
            urls[provider] = spec.url
        return uvloop.run(_measure(urls, pki, seconds, concurrency))
    finally:
        for process in processes:
            stop_process(process.pid)
        plugin.stop()


def print_encryption(results: list[Result]) -> None:
    by_name = print_results("Secrets with encryption at rest (a replica per provider, in turns; GETs read from "
                            "etcd and decrypted):", results)
    print("ratios (provider / identity, same run):")
    for provider in list(PROVIDERS)[1:]:
        create = by_name[f"{provider} create"].rate / by_name["identity create"].rate
        get = by_name[f"{provider} get"].rate / by_name["identity get"].rate
        print(f"  {provider:<10} create {create:6.2f}   get {get:6.2f}")


def main() -> None:
    run_alone("python -m bench.encryption", "pykube-encbench-", bench_encryption, print_encryption,
              "concurrency {concurrency}, {seconds:.0f}s per measurement, ~1 KiB Secrets, 3-member etcd, mTLS")

if __name__ == "__main__":
    main()
