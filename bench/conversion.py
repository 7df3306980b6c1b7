"""The cost of serving a version other than the storage version: HorizontalPodAutoscalers (stored as
autoscaling/v2) read, listed and created through autoscaling/v1, as ratios to the same requests in v2 from
the same run, measured in turns over several rounds on one replica.

GETs carry resourceVersion=0 (answered from the watch cache, so the conversion is a large part of their cost);
lists read 100 objects from the cache. `python -m bench` runs this after its other measurements; `python -m
bench.conversion` runs it alone.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import aiohttp
import orjson
import uvloop

from bench.measure import Result, accumulate, print_results, run_alone, run_for
from certs.pki import PkiPaths
from cluster.replica import ReplicaSpec, client_context, free_port, start_replica, stop_process, wait_ready
from etcd.launcher import EtcdCluster

ROUNDS = 6
OBJECTS = 100
VERSIONS = ("v2", "v1")
# one HPA with a memory metric and a behavior besides CPU: v1 carries those in annotations
SPEC = {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 5,
        "metrics": [{"type": "Resource", "resource": {"name": "memory", "target": {
            "type": "AverageValue", "averageValue": "500Mi"}}},
                    {"type": "Resource", "resource": {"name": "cpu", "target": {
                        "type": "Utilization", "averageUtilization": 60}}}],
        "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}


async def _measure(url: str, pki: PkiPaths, seconds: float, concurrency: int) -> list[Result]:
    ns = f"convbench-{uuid.uuid4().hex[:6]}"
    connector = aiohttp.TCPConnector(ssl=client_context(pki), limit=concurrency)
    total: dict[str, Result] = {}
    created = {"n": 0}
    async with aiohttp.ClientSession(connector=connector) as session:
        async def post(path: str, body: dict) -> None:
            async with session.post(url + path, data=orjson.dumps(body),
                                    headers={"Content-Type": "application/json"}) as resp:
                await resp.read()
                assert resp.status == 201, resp.status

        # reads look at a fixed set of objects; creates go to a namespace of their own
        for name in (ns, f"{ns}-w"):
            await post("/api/v1/namespaces", {"metadata": {"name": name}})
        v2 = f"/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers"
        for i in range(OBJECTS):
            await post(v2, {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                            "metadata": {"name": f"h-{i}"}, "spec": SPEC})

        # the same object in either version: as each version reads it, metadata reduced to the annotations (v1's
        # carry the memory metric and the behavior)
        bodies: dict[str, dict] = {}
        for version in VERSIONS:
            async with session.get(f"{url}/apis/autoscaling/{version}/namespaces/{ns}/horizontalpodautoscalers/h-0"
                                   ) as resp:
                body = await resp.json()
            bodies[version] = {k: v for k, v in body.items() if k != "status"}
            bodies[version]["metadata"] = {"annotations": body["metadata"].get("annotations") or {}}

        def ops(version: str):
            base = f"{url}/apis/autoscaling/{version}/namespaces/{ns}/horizontalpodautoscalers"
            writes = f"{url}/apis/autoscaling/{version}/namespaces/{ns}-w/horizontalpodautoscalers"

            async def get(i: int) -> None:
                async with session.get(f"{base}/h-{i % OBJECTS}", params={"resourceVersion": "0"}) as resp:
                    await resp.read()
                    assert resp.status == 200, resp.status

            async def listed(i: int) -> None:
                async with session.get(base, params={"resourceVersion": "0"}) as resp:
                    await resp.read()
                    assert resp.status == 200, resp.status

            async def create(i: int) -> None:
                created["n"] += 1
                body = bodies[version]
                body = {**body, "metadata": {**body["metadata"], "name": f"c-{version}-{created['n']}"}}
                async with session.post(writes, data=orjson.dumps(body),
                                        headers={"Content-Type": "application/json"}) as resp:
                    await resp.read()
                    assert resp.status == 201, resp.status

            return {"get": get, "list": listed, "create": create}

        by_version = {version: ops(version) for version in VERSIONS}
        # a short unrecorded pass first (connections, caches), then each operation in both versions back to
        # back, so that the machine's drifting load hits the pair alike
        for version in VERSIONS:
            for op in by_version[version].values():
                await run_for("warm-up", 0.3, concurrency, op)
        for _ in range(ROUNDS):
            for name in ("get", "list", "create"):
                for version in VERSIONS:
                    accumulate(total, await run_for(f"{version} {name}", seconds / ROUNDS, concurrency,
                                                    by_version[version][name]))
    return list(total.values())


def bench_conversion(cluster: EtcdCluster, pki: PkiPaths, root: Path, seconds: float,
                     concurrency: int) -> list[Result]:
    spec = ReplicaSpec(pki=pki, etcd_servers=cluster.servers_flag, port=free_port(),
                       log_file=root / "apiserver-conversion.log", extra_flags=["--etcd-prefix=/convbench"])
    process = start_replica(spec)
    try:
        wait_ready(spec.url, pki, process, log_file=spec.log_file)
        return uvloop.run(_measure(spec.url, pki, seconds, concurrency))
    finally:
        stop_process(process.pid)


def print_conversion(results: list[Result]) -> None:
    by_name = print_results("HorizontalPodAutoscalers stored as autoscaling/v2, requests in v2 (no conversion) "
                            "and v1 (converted):", results)
    print("ratios (v1 / v2, same run):")
    for op in ("get", "list", "create"):
        print(f"  {op:<6} {by_name[f'v1 {op}'].rate / by_name[f'v2 {op}'].rate:6.2f}")


def main() -> None:
    run_alone("python -m bench.conversion", "pykube-convbench-", bench_conversion, print_conversion)

if __name__ == "__main__":
    main()
