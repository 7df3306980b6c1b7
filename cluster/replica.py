"""Starting an API server replica as a real process and waiting until it is ready.

Shared by `make up` (python -m cluster) and the test fixtures, so both run the same command line.
"""
from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from certs.pki import PkiPaths


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


@dataclass
class ReplicaSpec:
    pki: PkiPaths
    etcd_servers: str
    port: int
    log_file: Path
    bind_address: str = "127.0.0.1"
    extra_flags: list[str] = field(default_factory=list)

    def command(self) -> list[str]:
        p = self.pki
        return [
            sys.executable, "-m", "apiserver",
            f"--secure-port={self.port}", f"--bind-address={self.bind_address}",
            f"--etcd-servers={self.etcd_servers}", f"--etcd-cafile={p.etcd_ca_cert}",
            f"--etcd-certfile={p.etcd_client_cert}", f"--etcd-keyfile={p.etcd_client_key}",
            f"--tls-cert-file={p.apiserver_cert}", f"--tls-private-key-file={p.apiserver_key}",
            f"--client-ca-file={p.ca_cert}",
            # the identities a replica presents as a client: to kubelets, and to aggregated API servers
            f"--kubelet-client-certificate={p.apiserver_kubelet_client_cert}",
            f"--kubelet-client-key={p.apiserver_kubelet_client_key}",
            f"--proxy-client-cert-file={p.front_proxy_client_cert}",
            f"--proxy-client-key-file={p.front_proxy_client_key}",
            *self.extra_flags,
        ]

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"


def spawn(command: list[str], log_file: Path, detach: bool = False) -> subprocess.Popen:
    """Runs one of the project's components from the repository root, its output appended to `log_file`;
    `detach` puts it in its own session so that it outlives the command that started it."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    root = Path(__file__).resolve().parent.parent
    with log_file.open("ab") as log:
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=root,
                                env={**os.environ, "PYTHONPATH": str(root)}, start_new_session=detach)


def start_replica(spec: ReplicaSpec, detach: bool = False) -> subprocess.Popen:
    return spawn(spec.command(), spec.log_file, detach)


def client_context(pki: PkiPaths) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(pki.ca_cert))
    context.load_cert_chain(str(pki.admin_cert), str(pki.admin_key))
    return context


def is_ready(url: str, pki: PkiPaths) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/readyz", context=client_context(pki), timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_ready(url: str, pki: PkiPaths, process: subprocess.Popen | None, timeout: float = 30.0,
               log_file: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = log_file.read_text(errors="replace")[-2000:] if log_file else ""
            raise RuntimeError(f"apiserver exited with status {process.returncode}:\n{tail}")
        if is_ready(url, pki):
            return
        time.sleep(0.1)
    raise RuntimeError(f"apiserver at {url} not ready after {timeout:.0f}s")


def stop_process(pid: int, timeout: float = 10.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        if _reap(pid):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _reap(pid)


def _reap(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == pid
    except ChildProcessError:
        return False
