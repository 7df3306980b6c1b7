"""What every benchmark shares: its flags, a scratch etcd cluster, and the measuring loop (N workers repeat
one operation for a fixed time)."""
from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable

from certs.pki import PkiPaths, ensure_pki
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
