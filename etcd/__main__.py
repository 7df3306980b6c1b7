"""python -m etcd up|down|status [--state-dir DIR]: a detached local etcd cluster kept under DIR/etcd."""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

from certs.pki import PkiPaths, ensure_pki
from etcd.launcher import EtcdCluster, EtcdClusterConfig, EtcdError

REPO_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    state_dir: Path = args.state_dir.resolve()
    try:
        pki = ensure_pki(state_dir / "pki", socket.gethostname())
        return {"up": _up, "down": _down, "status": _status}[args.command](state_dir, pki, args)
    except (EtcdError, OSError) as exc:
        print(f"etcd: {exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etcd", description="Run a local etcd cluster with mTLS.")
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--state-dir", type=Path, default=REPO_ROOT / "state",
                        help="holds pki/ and etcd/ (data, logs, cluster.json)")
    parser.add_argument("--members", type=int, default=None, help="members of a new cluster (default 3)")
    return parser


def _state_file(state_dir: Path) -> Path:
    return state_dir / "etcd" / "cluster.json"


def _saved(state_dir: Path, pki: PkiPaths) -> EtcdCluster | None:
    path = _state_file(state_dir)
    return EtcdCluster.load_state(path, pki) if path.exists() else None


def _up(state_dir: Path, pki: PkiPaths, args: argparse.Namespace) -> int:
    cluster = _saved(state_dir, pki)
    if cluster is None:
        members = 3 if args.members is None else args.members
        if members < 1:
            raise EtcdError("--members must be at least 1")
        cluster = EtcdCluster(EtcdClusterConfig(data_root=state_dir / "etcd", pki=pki, members=members))
    elif args.members is not None and args.members != len(cluster.members):
        raise EtcdError(f"the cluster in {state_dir / 'etcd'} has {len(cluster.members)} members; "
                        f"run down and remove that directory to change it")
    try:
        cluster.start()
    finally:
        if cluster.members:
            cluster.save_state(_state_file(state_dir))
    _print_table(cluster)
    return 0


def _down(state_dir: Path, pki: PkiPaths, args: argparse.Namespace) -> int:
    cluster = _saved(state_dir, pki)
    if cluster is None:
        print(f"no etcd cluster saved in {state_dir / 'etcd'}")
        return 0
    cluster.stop()
    cluster.save_state(_state_file(state_dir))
    print(f"stopped {len(cluster.members)} etcd members (data kept in {cluster.config.data_root})")
    return 0


def _status(state_dir: Path, pki: PkiPaths, args: argparse.Namespace) -> int:
    cluster = _saved(state_dir, pki)
    if cluster is None:
        raise EtcdError(f"no etcd cluster saved in {state_dir / 'etcd'}: run `python -m etcd up`")
    healthy = _print_table(cluster)
    return 0 if all(healthy) else 1


def _print_table(cluster: EtcdCluster) -> list[bool]:
    healthy = [cluster.is_healthy(i) for i in range(len(cluster.members))]
    rows = [("MEMBER", "CLIENT URL", "PID", "HEALTHY")]
    rows += [(m.name, m.client_url, str(m.pid or "-"), "yes" if ok else "no")
             for m, ok in zip(cluster.members, healthy, strict=True)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    print(f"--etcd-servers={cluster.servers_flag}")
    return healthy


if __name__ == "__main__":
    sys.exit(main())
