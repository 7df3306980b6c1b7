"""`python -m bench`: the replica's creates/s and GETs/s against raw etcd puts/s and gets/s, same run.

Everything runs on this machine at the same time and concurrency, so the ratios mean more than the raw
numbers on a shared, noisy host. etcd is a fresh 3-member mTLS cluster on /dev/shm; the replica talks to it
through the same client the baseline uses.
"""
from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable

import aiohttp
import orjson
import uvloop

from certs.pki import ensure_pki
from cluster.replica import ReplicaSpec, client_context, free_port, start_replica, stop_process, wait_ready
from etcd.launcher import EtcdCluster, EtcdClusterConfig
from apiserver.storage.etcd_client import EtcdClient, EtcdClientConfig


@dataclass
class Result:
    name: str
    ops: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0


async def run_for(name: str, seconds: float, concurrency: int, op: Callable[[int], Awaitable[None]]) -> Result:
    counter = 0
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal counter
        while time.monotonic() < deadline:
            counter += 1
            await op(counter)

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result(name, counter, time.monotonic() - started)


async def bench(cluster: EtcdCluster, replica_url: str, pki, seconds: float, concurrency: int) -> list[Result]:
    client = EtcdClient(EtcdClientConfig(endpoints=cluster.client_urls, ca_file=str(pki.etcd_ca_cert),
                                         cert_file=str(pki.etcd_client_cert), key_file=str(pki.etcd_client_key)))
    await client.connect()
    value = b"x" * 1024
    run = uuid.uuid4().hex[:6]
    results = [await run_for("etcd put", seconds, concurrency,
                             lambda i: client.put(f"/bench/{run}/{i}".encode(), value))]

    async def etcd_get(i: int) -> None:
        await client.get(f"/bench/{run}/{i % 100 + 1}".encode())

    results.append(await run_for("etcd get", seconds, concurrency, etcd_get))
    await client.close()

    connector = aiohttp.TCPConnector(ssl=client_context(pki), limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        ns = f"bench-{run}"
        async with session.post(f"{replica_url}/api/v1/namespaces", data=orjson.dumps({"metadata": {"name": ns}}),
                                headers={"Content-Type": "application/json"}) as resp:
            assert resp.status == 201, await resp.text()
        base = f"{replica_url}/api/v1/namespaces/{ns}/configmaps"

        async def create(i: int) -> None:
            body = orjson.dumps({"metadata": {"name": f"cm-{i}"}, "data": {"v": "x" * 1000}})
            async with session.post(base, data=body, headers={"Content-Type": "application/json"}) as resp:
                await resp.read()
                assert resp.status == 201, resp.status

        async def get(i: int) -> None:
            async with session.get(f"{base}/cm-{i % 100 + 1}") as resp:
                await resp.read()
                assert resp.status == 200, resp.status

        results.append(await run_for("apiserver create", seconds, concurrency, create))
        results.append(await run_for("apiserver get", seconds, concurrency, get))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="pykube-bench-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    pki = ensure_pki(root / "pki", socket.gethostname())
    cluster = EtcdCluster(EtcdClusterConfig(data_root=root / "etcd", pki=pki))
    process = None
    try:
        cluster.start()
        spec = ReplicaSpec(pki=pki, etcd_servers=cluster.servers_flag, port=free_port(),
                           log_file=root / "apiserver.log")
        process = start_replica(spec)
        wait_ready(spec.url, pki, process, log_file=spec.log_file)
        results = uvloop.run(bench(cluster, spec.url, pki, args.seconds, args.concurrency))
    finally:
        if process is not None:
            stop_process(process.pid)
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
    by_name = {r.name: r for r in results}
    print(f"concurrency {args.concurrency}, {args.seconds:.0f}s per measurement, 1 KiB values, 3-member etcd, mTLS")
    for r in results:
        print(f"  {r.name:<18} {r.rate:9.0f} ops/s  ({r.ops} ops)")
    print("ratios (apiserver / raw etcd, same run):")
    print(f"  create / put   {by_name['apiserver create'].rate / by_name['etcd put'].rate:6.2f}")
    print(f"  get / get      {by_name['apiserver get'].rate / by_name['etcd get'].rate:6.2f}")


if __name__ == "__main__":
    main()
