"""Starting the bundled load balancer as a process in front of the replicas (shared with the tests)."""
from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from certs.pki import PkiPaths
from cluster.replica import is_ready, spawn


@dataclass
class LoadBalancerSpec:
    pki: PkiPaths
    port: int
    admin_port: int
    backends: list[int]
    log_file: Path
    extra_flags: list[str] = field(default_factory=list)

    def command(self) -> list[str]:
        backends = [f"--backend=127.0.0.1:{port}" for port in self.backends]
        return [sys.executable, "-m", "lb", f"--listen=127.0.0.1:{self.port}", *backends,
                f"--health-ca-file={self.pki.ca_cert}",
                # replicas that refuse anonymous requests answer /readyz to any authenticated user
                f"--health-cert-file={self.pki.health_check_cert}", f"--health-key-file={self.pki.health_check_key}",
                f"--admin=127.0.0.1:{self.admin_port}",
                "--health-interval=500ms", "--rise=1", "--fall=2", *self.extra_flags]

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"


def start_load_balancer(spec: LoadBalancerSpec, detach: bool = False) -> subprocess.Popen:
    return spawn(spec.command(), spec.log_file, detach)


def admin_healthy(admin_port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/healthz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_serving(spec: LoadBalancerSpec, process: subprocess.Popen | None, timeout: float = 30.0) -> None:
    """Until a request through the balancer reaches a ready replica."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"lb exited with status {process.returncode}: "
                               f"{spec.log_file.read_text(errors='replace')[-2000:]}")
        if admin_healthy(spec.admin_port) and is_ready(spec.url, spec.pki):
            return
        time.sleep(0.1)
    raise RuntimeError(f"load balancer on {spec.url} not serving after {timeout:.0f}s")
