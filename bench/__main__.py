"""`python -m bench`: the replica's creates/s and GETs/s against raw etcd puts/s and gets/s, GETs/s
straight to a replica vs through the bundled load balancer vs through HAProxy (mode tcp), and the cost of
encryption at rest per provider (bench/encryption.py), of serving a version other than the storage version
(bench/conversion.py), of each storage media type (bench/media_type.py) and of admission (bench/admission.py),
all in one run.

Everything runs on this machine at the same time and concurrency, so the ratios mean more than the raw
numbers on a shared, noisy host. etcd is a fresh 3-member mTLS cluster on /dev/shm; the replica talks to it
through the same client the baseline uses.
"""
from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from pathlib import Path

import aiohttp
import orjson
import uvloop

from apiserver.storage.etcd_client import EtcdClient, EtcdClientConfig
from bench.admission import bench_admission, print_admission
from bench.conversion import bench_conversion, print_conversion
from bench.encryption import bench_encryption, print_encryption
from bench.measure import Result, parse_args, run_for, scratch_cluster
from bench.media_type import bench_media_types, print_media_types
from cluster.loadbalancer import LoadBalancerSpec, start_load_balancer, wait_serving
from cluster.replica import (
    ReplicaSpec,
    client_context,
    free_port,
    start_replica,
    stop_process,
    wait_ready,
)
from etcd.launcher import EtcdCluster


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


HAPROXY_CONFIG = """global
    maxconn 4096
defaults
    mode tcp
    timeout connect 1s
    timeout client 60s
    timeout server 60s
frontend api
    bind 127.0.0.1:{port}
    default_backend replicas
backend replicas
    balance roundrobin
{servers}
"""


def start_haproxy(root: Path, port: int, backends: list[int]) -> subprocess.Popen | None:
    binary = shutil.which("haproxy") or (Path("/usr/sbin/haproxy") if Path("/usr/sbin/haproxy").exists() else None)
    if not binary:
        return None
    servers = "\n".join(f"    server r{i} 127.0.0.1:{p} check" for i, p in enumerate(backends))
    config = root / "haproxy.cfg"
    config.write_text(HAPROXY_CONFIG.format(port=port, servers=servers))
    return subprocess.Popen([str(binary), "-f", str(config), "-db"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


async def bench_paths(urls: dict[str, str], pki, seconds: float, concurrency: int) -> list[Result]:
    """GETs of one object over kept-alive TLS connections, the same load against each entry point."""
    results = []
    ns = f"lbbench-{uuid.uuid4().hex[:6]}"
    first = next(iter(urls.values()))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=client_context(pki))) as session:
        async with session.post(f"{first}/api/v1/namespaces", data=orjson.dumps({"metadata": {"name": ns}}),
                                headers={"Content-Type": "application/json"}) as resp:
            assert resp.status == 201, await resp.text()
        async with session.post(f"{first}/api/v1/namespaces/{ns}/configmaps",
                                data=orjson.dumps({"metadata": {"name": "c"}, "data": {"v": "x" * 1000}}),
                                headers={"Content-Type": "application/json"}) as resp:
            assert resp.status == 201, await resp.text()
    for name, url in urls.items():
        connector = aiohttp.TCPConnector(ssl=client_context(pki), limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:
            async def get(i: int, url: str = url) -> None:
                async with session.get(f"{url}/api/v1/namespaces/{ns}/configmaps/c",
                                       params={"resourceVersion": "0"}) as resp:
                    await resp.read()
                    assert resp.status == 200, resp.status
            results.append(await run_for(name, seconds, concurrency, get))
    return results


def main() -> None:
    args = parse_args("python -m bench")
    root, pki, cluster = scratch_cluster("pykube-bench-")
    processes: list[subprocess.Popen] = []
    try:
        cluster.start()
        specs = [ReplicaSpec(pki=pki, etcd_servers=cluster.servers_flag, port=free_port(),
                             log_file=root / f"apiserver-{i}.log") for i in range(3)]
        for spec in specs:
            processes.append(start_replica(spec))
            wait_ready(spec.url, pki, processes[-1], log_file=spec.log_file)
        results = uvloop.run(bench(cluster, specs[0].url, pki, args.seconds, args.concurrency))
        lb = LoadBalancerSpec(pki=pki, port=free_port(), admin_port=free_port(),
                              backends=[s.port for s in specs], log_file=root / "lb.log")
        processes.append(start_load_balancer(lb))
        wait_serving(lb, processes[-1])
        urls = {"direct to replica": specs[0].url, "through lb": lb.url}
        haproxy_port = free_port()
        haproxy = start_haproxy(root, haproxy_port, [s.port for s in specs])
        if haproxy:
            processes.append(haproxy)
            time.sleep(1)
            urls["through haproxy"] = f"https://127.0.0.1:{haproxy_port}"
        paths = uvloop.run(bench_paths(urls, pki, args.seconds, args.concurrency))
        # the encryption runs start their own replicas: stop these first so they compete with nothing
        while processes:
            stop_process(processes.pop().pid)
        encryption = bench_encryption(cluster, pki, root, args.seconds, args.concurrency)
        conversion = bench_conversion(cluster, pki, root, args.seconds, args.concurrency)
        media_types = bench_media_types(cluster, pki, root, args.seconds, args.concurrency)
        admission = bench_admission(cluster, pki, root, args.seconds, args.concurrency)
    finally:
        for process in processes:
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
    print("GETs (resourceVersion=0, kept-alive TLS) by entry point, 3 replicas behind each balancer:")
    for r in paths:
        print(f"  {r.name:<18} {r.rate:9.0f} req/s  ({r.ops} ops)")
    direct = paths[0].rate
    for r in paths[1:]:
        print(f"  {r.name} / direct   {r.rate / direct:6.2f}")
    if "through haproxy" not in urls:
        print("  (haproxy not installed: `apt-get install haproxy` to add the baseline)")
    else:
        ours = next(r for r in paths if r.name == "through lb")
        theirs = next(r for r in paths if r.name == "through haproxy")
        print(f"  lb / haproxy   {ours.rate / theirs.rate:6.2f}")
    print_encryption(encryption)
    print_conversion(conversion)
    print_media_types(media_types)
    print_admission(admission)


if __name__ == "__main__":
    main()
