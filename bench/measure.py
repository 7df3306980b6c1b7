"""What every benchmark shares: its flags, a scratch etcd cluster, the measuring loop (N workers repeat
one operation for a fixed time), and comparisons of several replica configurations measured in turns."""
from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from certs.pki import PkiPaths, ensure_pki
from cluster.replica import (
    ReplicaSpec,
    client_context,
    free_port,
    start_replica,
    stop_process,
    wait_ready,
)
from etcd.launcher import EtcdCluster, EtcdClusterConfig


@dataclass
class Result:
    name: str
    ops: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0


def accumulate(total: dict[str, Result], result: Result) -> None:
    """Adds one slice of a measurement taken in turns to its running total."""
    seen = total.setdefault(result.name, Result(result.name, 0, 0.0))
    seen.ops += result.ops
    seen.seconds += result.seconds


async def run_for(name: str, seconds: float, concurrency: int, op: Callable[[int], Awaitable[object]]) -> Result:
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


def parse_args(prog: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=32)
    return parser.parse_args()


def scratch_cluster(prefix: str) -> tuple[Path, PkiPaths, EtcdCluster]:
    """A fresh directory (memory-backed where possible), its PKI, and a 3-member etcd cluster not started yet."""
    root = Path(tempfile.mkdtemp(prefix=prefix, dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    pki = ensure_pki(root / "pki", socket.gethostname())
    return root, pki, EtcdCluster(EtcdClusterConfig(data_root=root / "etcd", pki=pki))


def print_results(title: str, results: list[Result]) -> dict[str, Result]:
    """The title and one line per measurement; returns them by name for the ratios that follow."""
    print(title)
    for r in results:
        print(f"  {r.name:<18} {r.rate:9.0f} ops/s  ({r.ops} ops)")
    return {r.name: r for r in results}


Part = Callable[[EtcdCluster, PkiPaths, Path, float, int], list[Result]]


def run_alone(prog: str, prefix: str, part: Part, report: Callable[[list[Result]], None],
              heading: str = "") -> None:
    """`python -m bench.<part>`: one benchmark part on a scratch etcd cluster of its own."""
    args = parse_args(prog)
    root, pki, cluster = scratch_cluster(prefix)
    try:
        cluster.start()
        results = part(cluster, pki, root, args.seconds, args.concurrency)
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
    if heading:
        print(heading.format(concurrency=args.concurrency, seconds=args.seconds))
    report(results)


class Collection:
    """One replica's objects of one resource in a namespace of their own: creates, and GETs of the first 100
    created without a resourceVersion, so that each is read from etcd and decoded (resourceVersion=0 would be
    answered from the watch cache)."""

    def __init__(self, name: str, url: str, session: aiohttp.ClientSession, resource: str,
                 body: Callable[[str], dict[str, Any]]) -> None:
        self.name = name
        self.url = url
        self.session = session
        self.namespace = f"bench-{uuid.uuid4().hex[:6]}"
        # resource: `api/v1/secrets` or `apis/apps/v1/deployments`, the collection's path without its namespace
        group_version, plural = resource.rsplit("/", 1)
        self.base = f"{url}/{group_version}/namespaces/{self.namespace}/{plural}"
        self.body = body
        self.created = 0

    async def setup(self) -> None:
        async with self.session.post(f"{self.url}/api/v1/namespaces",
                                     data=orjson.dumps({"metadata": {"name": self.namespace}}),
                                     headers={"Content-Type": "application/json"}) as resp:
            assert resp.status == 201, await resp.text()

    async def create(self, i: int) -> None:
        self.created += 1
        body = orjson.dumps(self.body(f"o-{self.created}"))
        async with self.session.post(self.base, data=body, headers={"Content-Type": "application/json"}) as resp:
            await resp.read()
            assert resp.status == 201, resp.status

    async def get(self, i: int) -> None:
        async with self.session.get(f"{self.base}/o-{i % min(self.created, 100) + 1}") as resp:
            await resp.read()
            assert resp.status == 200, resp.status


async def in_turns(targets: list[Collection], seconds: float, concurrency: int, rounds: int = 3,
                   setup: bool = True) -> list[Result]:
    """Creates then GETs of every target in turn, over several rounds, so that drift in the machine's load
    hits them all alike; one Result per target and operation, named `<target> create|get`. `setup=False`: the
    caller has set the targets up."""
    total: dict[str, Result] = {}
    for target in targets:
        if setup:
            await target.setup()
    for _ in range(rounds):
        for target in targets:
            for op, run in (("create", target.create), ("get", target.get)):
                accumulate(total, await run_for(f"{target.name} {op}", seconds / rounds, concurrency, run))
    return list(total.values())


@contextmanager
def replicas(cluster: EtcdCluster, pki: PkiPaths, root: Path, flags: dict[str, list[str]]) -> Iterator[dict[str, str]]:
    """One replica per name with its own flags (and its own etcd prefix), all ready; their URLs by name."""
    processes = []
    urls: dict[str, str] = {}
    try:
        for name, extra in flags.items():
            spec = ReplicaSpec(pki=pki, etcd_servers=cluster.servers_flag, port=free_port(),
                               log_file=root / f"apiserver-{name}.log",
                               extra_flags=[f"--etcd-prefix=/bench-{uuid.uuid4().hex[:6]}", *extra])
            processes.append(start_replica(spec))
            wait_ready(spec.url, pki, processes[-1], log_file=spec.log_file)
            urls[name] = spec.url
        yield urls
    finally:
        for process in processes:
            stop_process(process.pid)


async def compare(urls: dict[str, str], pki: PkiPaths, resource: str, body: Callable[[str], dict[str, Any]],
                  seconds: float, concurrency: int) -> list[Result]:
    """creates/s and GETs/s of `resource` through each replica, in turns."""
    connector = aiohttp.TCPConnector(ssl=client_context(pki), limit=concurrency * len(urls))
    async with aiohttp.ClientSession(connector=connector) as session:
        targets = [Collection(name, url, session, resource, body) for name, url in urls.items()]
        return await in_turns(targets, seconds, concurrency)


def print_ratios(title: str, results: list[Result], baseline: str, names: list[str]) -> None:
    """The results, then each name's create and get rates as ratios to the baseline's."""
    by_name = print_results(title, results)
    print(f"ratios (each / {baseline}, same run):")
    for name in names:
        create = by_name[f"{name} create"].rate / by_name[f"{baseline} create"].rate
        get = by_name[f"{name} get"].rate / by_name[f"{baseline} get"].rate
        print(f"  {name:<10} create {create:6.2f}   get {get:6.2f}")
