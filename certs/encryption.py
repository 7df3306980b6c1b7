"""The cluster's encryption-at-rest configuration, made once next to the PKI (`encryption-config.yaml`).

Secrets are encrypted with a fresh aescbc key (the provider kube's documentation starts with); `identity`
stays second so that Secrets stored before encryption was turned on remain readable until a storage
migration rewrites them. An existing file is never touched: it holds the key every stored Secret needs,
and key rotation edits it by hand (docs/encryption.md, "Rotating a key with no downtime").

    python -m certs.encryption [--dir state/pki]
"""
from __future__ import annotations

import argparse
import base64
import os
import sys
from pathlib import Path

FILE_NAME = "encryption-config.yaml"
KEY_NAME = "key1"


def render(secret: bytes) -> str:
    return (
        "apiVersion: apiserver.config.k8s.io/v1\n"
        "kind: EncryptionConfiguration\n"
        "resources:\n"
        "  - resources: [secrets]\n"
        "    providers:\n"
        "      - aescbc:\n"
        "          keys:\n"
        f"            - name: {KEY_NAME}\n"
        f"              secret: {base64.b64encode(secret).decode()}\n"
        "      - identity: {}\n"
    )


def ensure_encryption_config(directory: Path) -> Path:
    """The path of the configuration in `directory`, created with a new 32-byte key if missing."""
    path = directory / FILE_NAME
    if path.exists():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{FILE_NAME}.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(render(os.urandom(32)))
    try:
        # a link appears whole or not at all and never replaces: of two racing launchers one key wins
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m certs.encryption",
                                     description="Create the encryption-at-rest configuration if it is missing.")
    parser.add_argument("--dir", type=Path, default=Path(__file__).resolve().parent.parent / "state" / "pki")
    args = parser.parse_args(argv)
    try:
        print(ensure_encryption_config(args.dir))
    except OSError as exc:
        print(f"certs.encryption: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
