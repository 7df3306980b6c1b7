"""python -m certs [--dir D] [--node-name NAME] [--server URL]: ensures the cluster's PKI.
python -m certs check-expiration [--dir D]: lists every certificate with its expiry, as kubeadm does."""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

from certs.expiration import report
from certs.pki import DEFAULT_SERVER, PkiPaths, ensure_pki

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = REPO_ROOT / "state" / "pki"


def check_expiration(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m certs check-expiration",
                                     description="Check the expiration of every certificate of the PKI.")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="PKI directory")
    args = parser.parse_args(argv)
    if not args.dir.is_dir():
        print(f"certs: {args.dir} is not a directory", file=sys.stderr)
        return 1
    sys.stdout.write(report(PkiPaths.under(args.dir)))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["check-expiration"]:
        return check_expiration(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m certs", description="Create or refresh the cluster's PKI.")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="output directory")
    parser.add_argument("--node-name", default=socket.gethostname(),
                        help="extra DNS SAN of the serving cert, and the node of node.kubeconfig")
    parser.add_argument("--server", default=None,
                        help="API server URL of the kubeconfig files "
                             f"(default: the current one, else {DEFAULT_SERVER})")
    args = parser.parse_args(argv)
    try:
        paths = ensure_pki(args.dir, args.node_name, server=args.server)
    except OSError as exc:
        print(f"certs: {exc}", file=sys.stderr)
        return 1
    print(paths.directory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
