"""`python -m cluster up|down|status`: the local topology behind `make up` / `make down`.

Today: the 3-member etcd cluster and one API server replica; state (pids, ports) lives in state/.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from pathlib import Path

from certs.kubeconfig import write_kubeconfig
from certs.pki import ensure_pki
from cluster.replica import ReplicaSpec, free_port, is_ready, port_free, start_replica, stop_process, wait_ready
from etcd.launcher import EtcdCluster, EtcdClusterConfig

DEFAULT_PORT = 6443


def _paths(state: Path) -> dict[str, Path]:
    return {"pki": state / "pki", "etcd": state / "etcd", "etcd_state": state / "etcd" / "cluster.json",
            "replica": state / "apiserver.json", "log": state / "logs" / "apiserver-1.log"}


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def up(state: Path) -> None:
    paths = _paths(state)
    pki = ensure_pki(paths["pki"], socket.gethostname())
    if paths["etcd_state"].exists():
        etcd = EtcdCluster.load_state(paths["etcd_state"], pki)
    else:
        etcd = EtcdCluster(EtcdClusterConfig(data_root=paths["etcd"], pki=pki))
    etcd.start()
    etcd.save_state(paths["etcd_state"])
    saved = json.loads(paths["replica"].read_text()) if paths["replica"].exists() else {}
    port = saved.get("port") or (DEFAULT_PORT if port_free(DEFAULT_PORT) else free_port())
    if port != DEFAULT_PORT:
        print(f"note: 127.0.0.1:{DEFAULT_PORT} is taken; the API server listens on 127.0.0.1:{port}")
    spec = ReplicaSpec(pki=pki, etcd_servers=etcd.servers_flag, port=port, log_file=paths["log"])
    pid = saved.get("pid")
    if not (_alive(pid) and is_ready(spec.url, pki)):
        process = start_replica(spec, detach=True)
        pid = process.pid
        wait_ready(spec.url, pki, process, log_file=paths["log"])
    paths["replica"].write_text(json.dumps({"port": port, "pid": pid}))
    kubeconfig = paths["pki"] / "admin.kubeconfig"
    write_kubeconfig(kubeconfig, spec.url, pki.ca_cert, pki.admin_cert, pki.admin_key)
    status(state)
    print()
    print("The cluster is up. Use it with:")
    print(f"export KUBECONFIG={kubeconfig.resolve()}")
    print("kubectl get ns")


def down(state: Path) -> None:
    paths = _paths(state)
    if paths["replica"].exists():
        saved = json.loads(paths["replica"].read_text())
        if saved.get("pid"):
            stop_process(saved["pid"])
        saved["pid"] = None
        paths["replica"].write_text(json.dumps(saved))
    if paths["etcd_state"].exists():
        pki = ensure_pki(paths["pki"], socket.gethostname())
        etcd = EtcdCluster.load_state(paths["etcd_state"], pki)
        etcd.stop()
        etcd.save_state(paths["etcd_state"])
    print("stopped (data kept under state/)")


def status(state: Path) -> None:
    paths = _paths(state)
    rows = [("MEMBER", "ADDRESS", "PID", "HEALTHY")]
    pki = ensure_pki(paths["pki"], socket.gethostname()) if paths["pki"].exists() else None
    if paths["etcd_state"].exists() and pki:
        etcd = EtcdCluster.load_state(paths["etcd_state"], pki)
        for i, member in enumerate(etcd.members):
            rows.append((member.name, member.client_url, str(member.pid or "-"),
                         "yes" if etcd.is_healthy(i) else "no"))
    if paths["replica"].exists() and pki:
        saved = json.loads(paths["replica"].read_text())
        url = f"https://127.0.0.1:{saved['port']}"
        healthy = _alive(saved.get("pid")) and is_ready(url, pki)
        rows.append(("apiserver-1", url, str(saved.get("pid") or "-"), "yes" if healthy else "no"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m cluster")
    parser.add_argument("command", choices=("up", "down", "status"))
    parser.add_argument("--state-dir", type=Path, default=Path("state"))
    args = parser.parse_args(argv)
    try:
        {"up": up, "down": down, "status": status}[args.command](args.state_dir)
    except (RuntimeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
