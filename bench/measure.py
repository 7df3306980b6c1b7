"""What every benchmark shares: its flags, a scratch etcd cluster, and the measuring loop (N workers repeat
one operation for a fixed time)."""
from __future__ import annotations

import argparse
import asyncio
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
