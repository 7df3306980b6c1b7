"""`python -m cluster up|down|status|kill|start|restart`: the local HA topology behind `make up` / `make down`.

3 etcd members, 3 API server replicas and the load balancer as local processes on loopback. Ports and pids
live in state/ so that later commands (and a later `make up`) find the same cluster.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from certs.encryption import ensure_encryption_config
from certs.kubeconfig import write_kubeconfig
from certs.pki import PkiPaths, ensure_pki
from cluster.loadbalancer import (
    LoadBalancerSpec,
    admin_healthy,
    start_load_balancer,
    wait_serving,
)
from cluster.production import production_replica
from cluster.replica import (
    ReplicaSpec,
    free_port,
    is_ready,
    port_free,
    start_replica,
    stop_process,
    wait_ready,
)
from etcd.launcher import EtcdCluster, EtcdClusterConfig, EtcdError

DEFAULT_LB_PORT = 6443
REPLICAS = 3


@dataclass
class ProcessState:
    name: str
    port: int
    pid: int | None = None
    admin_port: int = 0


@dataclass
class Topology:
    replicas: list[ProcessState] = field(default_factory=list)
    lb: ProcessState | None = None


class Cluster:
    def __init__(self, state: Path) -> None:
        self.state = state
        self.file = state / "cluster.json"
        self.etcd_file = state / "etcd" / "cluster.json"
        self.logs = state / "logs"
        self.pki: PkiPaths = ensure_pki(state / "pki", socket.gethostname())
        # Secrets are encrypted at rest by default; the replicas reload the file when a key is rotated
        self.encryption_config = ensure_encryption_config(state / "pki")
        self.topology = self._load()
        self.etcd = (EtcdCluster.load_state(self.etcd_file, self.pki) if self.etcd_file.exists()
                     else EtcdCluster(EtcdClusterConfig(data_root=state / "etcd", pki=self.pki)))

    def _load(self) -> Topology:
        if not self.file.exists():
            return Topology()
        data = json.loads(self.file.read_text())
        return Topology([ProcessState(**r) for r in data["replicas"]],
                        ProcessState(**data["lb"]) if data.get("lb") else None)

    def save(self) -> None:
        self.etcd.save_state(self.etcd_file)
        self.file.write_text(json.dumps(asdict(self.topology), indent=2))

    # --- processes ------------------------------------------------------------------------------------

    def _replica_spec(self, replica: ProcessState) -> ReplicaSpec:
        return production_replica(self.pki, self.etcd.servers_flag, replica.port, self.encryption_config,
                                  self.logs / f"{replica.name}.log")

    def _lb_spec(self) -> LoadBalancerSpec:
        assert self.topology.lb
        return LoadBalancerSpec(pki=self.pki, port=self.topology.lb.port, admin_port=self.topology.lb.admin_port,
                                backends=[r.port for r in self.topology.replicas], log_file=self.logs / "lb.log")

    def start_replica(self, replica: ProcessState) -> None:
        spec = self._replica_spec(replica)
        if alive(replica.pid) and is_ready(spec.url, self.pki):
            return
        process = start_replica(spec, detach=True)
        replica.pid = process.pid
        wait_ready(spec.url, self.pki, process, log_file=spec.log_file)

    def start_lb(self) -> None:
        lb = self.topology.lb
        assert lb
        if alive(lb.pid) and admin_healthy(lb.admin_port):
            return
        spec = self._lb_spec()
        process = start_load_balancer(spec, detach=True)
        lb.pid = process.pid
        wait_serving(spec, process)

    def up(self) -> None:
        self.etcd.start()
        self.save()
        if not self.topology.replicas:
            self.topology.replicas = [ProcessState(f"apiserver-{i + 1}", free_port()) for i in range(REPLICAS)]
        for replica in self.topology.replicas:
            self.start_replica(replica)
            self.save()
        if self.topology.lb is None:
            port = DEFAULT_LB_PORT if port_free(DEFAULT_LB_PORT) else free_port()
            self.topology.lb = ProcessState("lb", port, admin_port=free_port())
        if self.topology.lb.port != DEFAULT_LB_PORT:
            print(f"note: 127.0.0.1:{DEFAULT_LB_PORT} is taken; the load balancer listens on "
                  f"127.0.0.1:{self.topology.lb.port}")
        self.start_lb()
        self.save()
        write_kubeconfig(self.pki.admin_kubeconfig, self._lb_spec().url, self.pki.ca_cert, self.pki.admin_cert,
                         self.pki.admin_key)

    def down(self) -> None:
        processes = ([self.topology.lb] if self.topology.lb else []) + self.topology.replicas
        for process in processes:
            if process.pid:
                stop_process(process.pid)
                process.pid = None
        self.etcd.stop()
        self.save()

    def _find(self, name: str) -> ProcessState | int:
        for replica in self.topology.replicas:
            if replica.name == name:
                return replica
        if self.topology.lb and name == "lb":
            return self.topology.lb
        for index, member in enumerate(self.etcd.members):
            if member.name == name:
                return index
        known = [r.name for r in self.topology.replicas] + [m.name for m in self.etcd.members] + ["lb"]
        raise RuntimeError(f"no member named {name!r}; known: {', '.join(known)}")

    def kill(self, name: str, sig: int) -> None:
        target = self._find(name)
        if isinstance(target, int):
            self.etcd.kill_member(target, sig)
        elif target.pid:
            try:
                os.kill(target.pid, sig)
            except ProcessLookupError:
                pass
            if sig in (signal.SIGKILL, signal.SIGTERM):
                stop_process(target.pid)
                target.pid = None
        self.save()

    def start(self, name: str) -> None:
        target = self._find(name)
        if isinstance(target, int):
            self.etcd.start_member(target)
        elif target is self.topology.lb:
            self.start_lb()
        else:
            self.start_replica(target)
        self.save()

    def rows(self) -> list[tuple[str, str, str, str]]:
        rows = []
        for index, member in enumerate(self.etcd.members):
            rows.append((member.name, member.client_url, str(member.pid or "-"),
                         "yes" if member.is_running() and self.etcd.is_healthy(index) else "no"))
        for replica in self.topology.replicas:
            url = f"https://127.0.0.1:{replica.port}"
            rows.append((replica.name, url, str(replica.pid or "-"),
                         "yes" if alive(replica.pid) and is_ready(url, self.pki) else "no"))
        if self.topology.lb:
            lb = self.topology.lb
            url = f"https://127.0.0.1:{lb.port}"
            rows.append(("lb", f"{url} (admin http://127.0.0.1:{lb.admin_port})", str(lb.pid or "-"),
                         "yes" if alive(lb.pid) and admin_healthy(lb.admin_port) else "no"))
        return rows


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        # a zombie child of this process still answers kill 0; reap it and call it dead
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done != pid
    except ChildProcessError:
        return True


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    table = [("MEMBER", "ADDRESS", "PID", "HEALTHY"), *rows]
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m cluster")
    parser.add_argument("--state-dir", type=Path, default=Path("state"))
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("up", "down", "status"):
        sub.add_parser(name)
    kill = sub.add_parser("kill", help="signal one member (default SIGKILL)")
    kill.add_argument("name")
    kill.add_argument("--signal", default="KILL", help="KILL, TERM, STOP, CONT ...")
    for name in ("start", "restart"):
        sub.add_parser(name).add_argument("name")
    args = parser.parse_args(argv)
    try:
        # absolute, because the processes it starts run from the checkout, not from the caller's directory
        cluster = Cluster(args.state_dir.resolve())
        if args.command == "up":
            cluster.up()
            print_table(cluster.rows())
            print()
            print("The cluster is up. Use it with:")
            print(f"export KUBECONFIG={cluster.pki.admin_kubeconfig.resolve()}")
            print("kubectl get ns")
        elif args.command == "down":
            cluster.down()
            print("stopped (data kept under state/)")
        elif args.command == "status":
            print_table(cluster.rows())
        elif args.command == "kill":
            name = f"SIG{args.signal.upper().removeprefix('SIG')}"
            if name not in signal.Signals.__members__:
                raise RuntimeError(f"unknown signal {args.signal!r}")
            cluster.kill(args.name, signal.Signals[name])
        elif args.command == "start":
            cluster.start(args.name)
        elif args.command == "restart":
            cluster.kill(args.name, signal.SIGTERM)
            cluster.start(args.name)
    except (RuntimeError, OSError, EtcdError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
