"""Starting and stopping the local KMS v2 plugin process (`python -m kmsplugin`), shared by the tests and the
benchmarks."""
from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import grpc

from apiserver.storage.kmsv2 import service_pb2 as api
from apiserver.storage.kmsv2.client import grpc_target
from apiserver.storage.kmsv2.service_pb2_grpc import KeyManagementServiceStub
from cluster.replica import spawn, stop_process


@dataclass
class KMSPluginProcess:
    socket: Path
    key_file: Path
    log_file: Path
    process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"unix://{self.socket}"

    def start(self, timeout: float = 15.0) -> None:
        """Starts the plugin (creating the key file on first use) and waits until it answers Status."""
        self.process = spawn([sys.executable, "-m", "kmsplugin", f"--socket={self.socket}",
                              f"--key-file={self.key_file}"], self.log_file)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"kms plugin exited with {self.process.returncode}:\n"
                                   f"{self.log_file.read_text(errors='replace')[-2000:]}")
            if self.socket.exists() and _answers(self.endpoint):
                return
            time.sleep(0.1)
        raise RuntimeError(f"kms plugin on {self.socket} not serving after {timeout:.0f}s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop_process(self.process.pid)
            self.process.wait(timeout=10)
        self.process = None

    def rotate(self, key_id: str = "") -> str:
        """Adds a key-encryption key and makes it current (the running plugin re-reads its file)."""
        out = subprocess.run([sys.executable, "-m", "kmsplugin", f"--key-file={self.key_file}", "--rotate",
                              *([f"--key-id={key_id}"] if key_id else [])],
                             capture_output=True, text=True, timeout=30, check=True,
                             cwd=Path(__file__).resolve().parent.parent)
        return out.stdout.strip()


def _answers(endpoint: str) -> bool:
    """One Status call on a blocking channel: callers may be inside an event loop (async tests)."""
    with grpc.insecure_channel(grpc_target(endpoint)) as channel:
        try:
            KeyManagementServiceStub(channel).Status(api.StatusRequest(), timeout=1.0)
            return True
        except grpc.RpcError:
            return False
