"""The cost of serving a version other than the storage version, as ratios to the same requests in the storage
version from the same run, measured in turns over several rounds on one replica: HorizontalPodAutoscalers
(stored as autoscaling/v2) through autoscaling/v1, and Events (stored as core/v1) through events.k8s.io/v1.

GETs carry resourceVersion=0 (answered from the watch cache, so the conversion is a large part of their cost);
lists read 100 objects from the cache. `python -m bench` runs this after its other measurements; `python -m
bench.conversion` runs it alone.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import uvloop

from bench.measure import Result, accumulate, print_results, run_alone, run_for
from certs.pki import PkiPaths
from cluster.replica import (
    ReplicaSpec,
    client_context,
    free_port,
    start_replica,
    stop_process,
    wait_ready,
)
from etcd.launcher import EtcdCluster

ROUNDS = 6
OBJECTS = 100


@dataclass(frozen=True)
class Case:
    """One resource: its stored and its converted version (label, API path), and an object in the stored one."""
    name: str
    plural: str
    stored: tuple[str, str]
    converted: tuple[str, str]
    seed: dict[str, Any]

    @property
    def versions(self) -> tuple[tuple[str, str], ...]:
        return (self.stored, self.converted)


# one HPA with a memory metric and a behavior besides CPU: v1 carries those in annotations
HPA = Case("hpa", "horizontalpodautoscalers", ("v2", "/apis/autoscaling/v2"), ("v1", "/apis/autoscaling/v1"), {
    "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
    "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 5,
             "metrics": [{"type": "Resource", "resource": {"name": "memory", "target": {
                 "type": "AverageValue", "averageValue": "500Mi"}}},
                         {"type": "Resource", "resource": {"name": "cpu", "target": {
                             "type": "Utilization", "averageUtilization": 60}}}],
             "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}})
# a new-style Event as a controller records it
EVENT = Case("event", "events", ("core", "/api/v1"), ("events", "/apis/events.k8s.io/v1"), {
    "apiVersion": "v1", "kind": "Event", "eventTime": "2026-01-01T00:00:00.000000Z",
    "reportingComponent": "example.com/ctl", "reportingInstance": "ctl-1", "action": "Reconcile",
    "reason": "Synced", "type": "Normal", "message": "all good",
    "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": "web"}})
CASES = (HPA, EVENT)


def _in_namespace(body: dict[str, Any], namespace: str) -> dict[str, Any]:
    """An Event about a namespaced object must be in that object's namespace (kube refuses others): the object it
    names moves with it, in either version's field."""
    for field in ("involvedObject", "regarding"):
        if isinstance(body.get(field), dict):
            body = {**body, field: {**body[field], "namespace": namespace}}
    return body


async def _measure_case(session: aiohttp.ClientSession, url: str, case: Case, seconds: float,
                        concurrency: int) -> list[Result]:
    ns = f"convbench-{case.name}-{uuid.uuid4().hex[:6]}"
    total: dict[str, Result] = {}
    created = {"n": 0}

    async def post(path: str, body: dict) -> None:
        async with session.post(url + path, data=orjson.dumps(body),
                                headers={"Content-Type": "application/json"}) as resp:
            await resp.read()
            assert resp.status == 201, resp.status

    # reads look at a fixed set of objects; creates go to a namespace of their own
    for name in (ns, f"{ns}-w"):
        await post("/api/v1/namespaces", {"metadata": {"name": name}})
    for i in range(OBJECTS):
        await post(f"{case.stored[1]}/namespaces/{ns}/{case.plural}",
                   _in_namespace({**case.seed, "metadata": {"name": f"o-{i}"}}, ns))

    # the same object in either version, as each version reads it, metadata reduced to the annotations (HPA v1's
    # carry the memory metric and the behavior)
    bodies: dict[str, dict] = {}
    for label, path in case.versions:
        async with session.get(f"{url}{path}/namespaces/{ns}/{case.plural}/o-0") as resp:
            body = await resp.json()
        bodies[label] = {k: v for k, v in body.items() if k != "status"}
        bodies[label]["metadata"] = {"annotations": body["metadata"].get("annotations") or {}}

    def ops(label: str, path: str):
        base = f"{url}{path}/namespaces/{ns}/{case.plural}"
        writes = f"{url}{path}/namespaces/{ns}-w/{case.plural}"

        async def get(i: int) -> None:
            async with session.get(f"{base}/o-{i % OBJECTS}", params={"resourceVersion": "0"}) as resp:
                await resp.read()
                assert resp.status == 200, resp.status

        async def listed(i: int) -> None:
            async with session.get(base, params={"resourceVersion": "0"}) as resp:
                await resp.read()
                assert resp.status == 200, resp.status

        async def create(i: int) -> None:
            created["n"] += 1
            body = bodies[label]
            body = _in_namespace({**body, "metadata": {**body["metadata"], "name": f"c-{created['n']}"}},
                                 f"{ns}-w")
            async with session.post(writes, data=orjson.dumps(body),
                                    headers={"Content-Type": "application/json"}) as resp:
                await resp.read()
                assert resp.status == 201, resp.status

        return {"get": get, "list": listed, "create": create}

    by_version = {label: ops(label, path) for label, path in case.versions}
    # a short unrecorded pass first (connections, caches), then each operation in both versions back to back, so
    # that the machine's drifting load hits the pair alike
    for label in by_version:
        for op in by_version[label].values():
            await run_for("warm-up", 0.3, concurrency, op)
    for _ in range(ROUNDS):
        for name in ("get", "list", "create"):
            for label in by_version:
                accumulate(total, await run_for(f"{case.name} {label} {name}", seconds / ROUNDS, concurrency,
                                                by_version[label][name]))
    return list(total.values())


async def _measure(url: str, pki: PkiPaths, seconds: float, concurrency: int) -> list[Result]:
    connector = aiohttp.TCPConnector(ssl=client_context(pki), limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        return [result for case in CASES for result in await _measure_case(session, url, case, seconds, concurrency)]


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
    by_name = print_results("Requests in the storage version (no conversion) and in another served version "
                            "(converted): HPAs stored as autoscaling/v2 read as v1, Events stored as core/v1 read "
                            "as events.k8s.io/v1:", results)
    for case in CASES:
        stored, converted = case.stored[0], case.converted[0]
        print(f"ratios, {case.name} ({converted} / {stored}, same run):")
        for op in ("get", "list", "create"):
            ratio = by_name[f"{case.name} {converted} {op}"].rate / by_name[f"{case.name} {stored} {op}"].rate
            print(f"  {op:<6} {ratio:6.2f}")


def main() -> None:
    run_alone("python -m bench.conversion", "pykube-convbench-", bench_conversion, print_conversion)

if __name__ == "__main__":
    main()
