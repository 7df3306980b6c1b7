"""Starts and stops a local N-member etcd cluster with peer and client mTLS.

Synchronous and subprocess-based, so that pytest fixtures and the `python -m etcd` CLI share it. Members run in
their own sessions: a cluster started by the CLI outlives the CLI.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from certs.kubeconfig import write_atomic
from certs.pki import PkiPaths

STATE_VERSION = 1
START_ATTEMPTS = 3
POLL_INTERVAL = 0.1
HEALTH_REQUEST_TIMEOUT = 2.0
STATUS_REQUEST_TIMEOUT = 0.5
BIND_FAILURE = "address already in use"


class EtcdError(RuntimeError):
    """A member could not be started, did not become healthy, or the saved state is unusable."""


class _PortsTaken(EtcdError):
    """A member lost the race for one of its freshly chosen ports."""


@dataclass
class EtcdClusterConfig:
    data_root: Path
    pki: PkiPaths
    members: int = 3
    host: str = "127.0.0.1"
    progress_notify_interval: str = "1s"
    name_prefix: str = "etcd"
    binary: str = "etcd"


@dataclass
class EtcdMember:
    name: str
    host: str
    client_port: int
    peer_port: int
    data_dir: Path
    log_file: Path
    pid: int | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False, compare=False)
    # Where this run's output starts in the (appended) log, so old runs' errors are not blamed on this one.
    log_offset: int = field(default=0, repr=False, compare=False)

    @property
    def client_url(self) -> str:
        return f"https://{self.host}:{self.client_port}"

    @property
    def peer_url(self) -> str:
        return f"https://{self.host}:{self.peer_port}"

    def is_running(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        return self.pid is not None and _foreign_member_alive(self.pid, self.data_dir)

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "client_port": self.client_port, "peer_port": self.peer_port,
                "data_dir": str(self.data_dir), "log_file": str(self.log_file),
                "pid": self.pid if self.is_running() else None}


class EtcdCluster:
    def __init__(self, config: EtcdClusterConfig) -> None:
        self.config = config
        self.token: str = ""
        self.members: list[EtcdMember] = []

    @property
    def client_urls(self) -> list[str]:
        return [m.client_url for m in self.members]

    @property
    def servers_flag(self) -> str:
        return ",".join(self.client_urls)

    def start(self, timeout: float = 30.0) -> None:
        """Starts every member that is not running and waits until all are healthy.

        A new cluster gets fresh ports and token, and is retried on new ports when one was taken meanwhile;
        a cluster that has run before keeps its ports, names and token so that its members find each other.
        """
        self._binary()
        if self.members:
            self._start_members(range(len(self.members)), timeout)
            return
        for attempt in range(START_ATTEMPTS):
            self._plan_new_cluster()
            try:
                self._start_members(range(len(self.members)), timeout)
                return
            except _PortsTaken:
                self._remove_data()
                self.members = []
                if attempt == START_ATTEMPTS - 1:
                    raise

    def stop(self, timeout: float = 10.0) -> None:
        """Stops every member (SIGTERM, then SIGKILL after `timeout`); data directories are kept."""
        deadline = time.monotonic() + timeout
        running = [m for m in self.members if m.is_running()]
        leader = self._leader(running)
        # Followers first, the leader last: a leader stopping gracefully hands leadership to a live peer and
        # stalls for seconds when that peer is shutting down too. Without a known leader, one at a time.
        if leader is None:
            waves = [[m] for m in running]
        else:
            waves = [[m for m in running if m is not leader], [leader]]
        survivors: list[EtcdMember] = []
        for wave in waves:
            for member in wave:
                _signal(member, signal.SIGTERM)
                # A frozen (SIGSTOPped) member would otherwise sit on the SIGTERM until the deadline.
                _signal(member, signal.SIGCONT)
            survivors += _wait_exit(wave, max(0.0, deadline - time.monotonic()))
        for member in survivors:
            _signal(member, signal.SIGKILL)
        _wait_exit(survivors, timeout)
        for member in self.members:
            _forget_process(member)

    def kill_member(self, index: int, sig: int = signal.SIGKILL) -> None:
        """Sends `sig` to one member; for signals that end it, waits until it has exited."""
        member = self.members[index]
        _signal(member, sig)
        if sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
            if _wait_exit([member], 10.0):
                raise EtcdError(f"{member.name} (pid {member.pid}) did not exit after signal {sig}")
            _forget_process(member)

    def start_member(self, index: int, timeout: float = 30.0) -> None:
        """Restarts a stopped member on its data and ports, and waits until it is healthy."""
        self._start_members([index], timeout)

    def wait_healthy(self, indexes: list[int] | range | None = None, timeout: float = 30.0) -> None:
        wanted = list(range(len(self.members)) if indexes is None else indexes)
        deadline = time.monotonic() + timeout
        context = self._ssl_context()
        while wanted:
            for index in list(wanted):
                member = self.members[index]
                if not member.is_running():
                    raise self._exited_error(member)
                # Checked again after the probe: a member that died meanwhile must not pass on another's port.
                if _health(member, context) and member.is_running():
                    wanted.remove(index)
            if wanted and time.monotonic() > deadline:
                names = ", ".join(self.members[i].name for i in wanted)
                raise EtcdError(f"etcd members not healthy after {timeout:.0f}s: {names} (logs under "
                                f"{self.members[wanted[0]].log_file.parent})")
            if wanted:
                time.sleep(POLL_INTERVAL)

    def is_healthy(self, index: int) -> bool:
        member = self.members[index]
        return member.is_running() and _health(member, self._ssl_context())

    def save_state(self, path: Path) -> None:
        state = {
            "version": STATE_VERSION,
            "data_root": str(self.config.data_root),
            "host": self.config.host,
            "progress_notify_interval": self.config.progress_notify_interval,
            "name_prefix": self.config.name_prefix,
            "binary": self.config.binary,
            "token": self.token,
            "members": [m.to_json() for m in self.members],
        }
        write_atomic(Path(path), (json.dumps(state, indent=2) + "\n").encode(), mode=0o644)

    @classmethod
    def load_state(cls, path: Path, pki: PkiPaths) -> EtcdCluster:
        try:
            state = json.loads(Path(path).read_text())
            if state.get("version") != STATE_VERSION:
                raise EtcdError(f"{path}: unsupported state version {state.get('version')!r}")
            config = EtcdClusterConfig(
                data_root=Path(state["data_root"]), pki=pki, members=len(state["members"]), host=state["host"],
                progress_notify_interval=state["progress_notify_interval"], name_prefix=state["name_prefix"],
                binary=state["binary"],
            )
            cluster = cls(config)
            cluster.token = state["token"]
            cluster.members = [
                EtcdMember(name=m["name"], host=config.host, client_port=m["client_port"], peer_port=m["peer_port"],
                           data_dir=Path(m["data_dir"]), log_file=Path(m["log_file"]), pid=m["pid"])
                for m in state["members"]
            ]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EtcdError(f"cannot read etcd cluster state {path}: {exc}") from exc
        return cluster

    def leader_index(self) -> int | None:
        """Which member leads, as the running members agree; None when they do not answer or disagree."""
        leader = self._leader([m for m in self.members if m.is_running()])
        return None if leader is None else self.members.index(leader)

    def _leader(self, candidates: list[EtcdMember]) -> EtcdMember | None:
        context = self._ssl_context()
        statuses = [(m, _status(m, context)) for m in candidates]
        leader_ids = {status["leader"] for _, status in statuses if status}
        if len(leader_ids) != 1:
            return None
        return next((m for m, status in statuses if status and status["header"]["member_id"] in leader_ids), None)

    def _binary(self) -> str:
        binary = shutil.which(self.config.binary)
        if binary is None:
            raise EtcdError(f"etcd binary not found: install etcd-server (looked for {self.config.binary!r})")
        return binary

    def _plan_new_cluster(self) -> None:
        root = Path(self.config.data_root)
        names = [f"{self.config.name_prefix}-{i + 1}" for i in range(self.config.members)]
        existing = [root / n for n in names if (root / n).exists()]
        if existing:
            raise EtcdError(f"{existing[0]} already holds etcd data but no cluster state was loaded: "
                            f"use EtcdCluster.load_state or remove it")
        ports = _free_ports(2 * self.config.members, self.config.host)
        self.token = f"{self.config.name_prefix}-{uuid.uuid4().hex}"
        self.members = [
            EtcdMember(name=name, host=self.config.host, client_port=ports[2 * i], peer_port=ports[2 * i + 1],
                       data_dir=root / name, log_file=root / "logs" / f"{name}.log")
            for i, name in enumerate(names)
        ]

    def _start_members(self, indexes: list[int] | range, timeout: float) -> None:
        launched = []
        try:
            for index in indexes:
                member = self.members[index]
                if not member.is_running():
                    self._launch(member)
                    launched.append(member)
            self.wait_healthy(indexes, timeout)
        except BaseException:
            for member in launched:
                if member.is_running():
                    _signal(member, signal.SIGKILL)
            _wait_exit(launched, 10.0)
            for member in launched:
                _forget_process(member)
            raise

    def _launch(self, member: EtcdMember) -> None:
        member.data_dir.parent.mkdir(parents=True, exist_ok=True)
        member.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(member.log_file, "ab") as log:
            member.log_offset = log.tell()
            member.process = subprocess.Popen(
                self._command(member), stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
            )
        member.pid = member.process.pid

    def _command(self, member: EtcdMember) -> list[str]:
        pki = self.config.pki
        initial_cluster = ",".join(f"{m.name}={m.peer_url}" for m in self.members)
        return [
            self._binary(),
            f"--name={member.name}",
            f"--data-dir={member.data_dir}",
            f"--listen-client-urls={member.client_url}",
            f"--advertise-client-urls={member.client_url}",
            f"--listen-peer-urls={member.peer_url}",
            f"--initial-advertise-peer-urls={member.peer_url}",
            f"--initial-cluster={initial_cluster}",
            "--initial-cluster-state=new",
            f"--initial-cluster-token={self.token}",
            f"--cert-file={pki.etcd_server_cert}",
            f"--key-file={pki.etcd_server_key}",
            f"--trusted-ca-file={pki.etcd_ca_cert}",
            "--client-cert-auth",
            f"--peer-cert-file={pki.etcd_peer_cert}",
            f"--peer-key-file={pki.etcd_peer_key}",
            f"--peer-trusted-ca-file={pki.etcd_ca_cert}",
            "--peer-client-cert-auth",
            f"--experimental-watch-progress-notify-interval={self.config.progress_notify_interval}",
            "--logger=zap",
            "--log-outputs=stderr",
        ]

    def _ssl_context(self) -> ssl.SSLContext:
        pki = self.config.pki
        context = ssl.create_default_context(cafile=str(pki.etcd_ca_cert))
        context.load_cert_chain(str(pki.etcd_client_cert), str(pki.etcd_client_key))
        return context

    def _exited_error(self, member: EtcdMember) -> EtcdError:
        tail = _log_tail(member.log_file, member.log_offset)
        if BIND_FAILURE in tail:
            return _PortsTaken(f"{member.name}: port taken ({member.client_url} / {member.peer_url})")
        last = tail.strip().splitlines()[-1:] or ["(empty log)"]
        return EtcdError(f"{member.name} exited; see {member.log_file}: {last[0]}")

    def _remove_data(self) -> None:
        for member in self.members:
            shutil.rmtree(member.data_dir, ignore_errors=True)


def _free_ports(count: int, host: str) -> list[int]:
    # All sockets stay open until every port is read, so the same port is never handed out twice.
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((host, 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _health(member: EtcdMember, context: ssl.SSLContext) -> bool:
    try:
        with urllib.request.urlopen(f"{member.client_url}/health", context=context,
                                    timeout=HEALTH_REQUEST_TIMEOUT) as response:
            body = json.loads(response.read())
    except (OSError, ValueError):
        return False
    return body.get("health") == "true"


def _status(member: EtcdMember, context: ssl.SSLContext) -> dict[str, Any] | None:
    request = urllib.request.Request(f"{member.client_url}/v3/maintenance/status", data=b"{}", method="POST")
    try:
        with urllib.request.urlopen(request, context=context, timeout=STATUS_REQUEST_TIMEOUT) as response:
            status = json.loads(response.read())
    except (OSError, ValueError):
        return None
    return status if isinstance(status, dict) and "leader" in status and "header" in status else None


def _signal(member: EtcdMember, sig: int) -> None:
    if member.pid is None or not member.is_running():
        return
    try:
        os.kill(member.pid, sig)
    except ProcessLookupError:
        pass


def _wait_exit(members: list[EtcdMember], timeout: float) -> list[EtcdMember]:
    """Waits until the members have exited; returns those still running at the deadline."""
    deadline = time.monotonic() + timeout
    pending = [m for m in members if m.is_running()]
    while pending and time.monotonic() < deadline:
        time.sleep(POLL_INTERVAL / 2)
        pending = [m for m in pending if m.is_running()]
    return pending


def _forget_process(member: EtcdMember) -> None:
    if member.is_running():
        return
    if member.process is not None:
        member.process.wait()
    member.process = None
    member.pid = None


def _foreign_member_alive(pid: int, data_dir: Path) -> bool:
    """Whether `pid` is still this member's etcd (and not a recycled pid), for processes we did not start."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    zombie = status.rsplit(")", 1)[-1].split()[0] == "Z"
    return not zombie and f"--data-dir={data_dir}".encode() in cmdline


def _log_tail(path: Path, start: int, size: int = 4096) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(max(start, f.seek(0, os.SEEK_END) - size))
            return f.read().decode(errors="replace")
    except OSError:
        return ""
