"""python -m certs [--dir D] [--node-name NAME] [--server URL]: ensures the cluster's PKI."""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

from certs.pki import DEFAULT_SERVER, ensure_pki

REPO_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m certs", description="Create or refresh the cluster's PKI.")
    parser.add_argument("--dir", type=Path, default=REPO_ROOT / "state" / "pki", help="output directory")
    parser.add_argument("--node-name", default=socket.gethostname(), help="extra DNS SAN of the serving cert")
    parser.add_argument("--server", default=None,
                        help=f"API server URL for admin.kubeconfig (default: the current one, else {DEFAULT_SERVER})")
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
