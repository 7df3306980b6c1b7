"""Kubeconfig files with the credentials embedded, so that a file works wherever it is copied."""

from __future__ import annotations

import base64
import os
import tempfile
from pathlib import Path

import yaml

CLUSTER_NAME = "pykube"


def write_kubeconfig(path: Path, server: str, ca_cert: Path, client_cert: Path, client_key: Path,
                     user: str = "kubernetes-admin") -> None:
    context = f"{user}@{CLUSTER_NAME}"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{
            "name": CLUSTER_NAME,
            "cluster": {"server": server, "certificate-authority-data": _b64(ca_cert)},
        }],
        "users": [{
            "name": user,
            "user": {"client-certificate-data": _b64(client_cert), "client-key-data": _b64(client_key)},
        }],
        "contexts": [{"name": context, "context": {"cluster": CLUSTER_NAME, "user": user}}],
        "current-context": context,
        "preferences": {},
    }
    data = yaml.safe_dump(config, sort_keys=False).encode()
    path = Path(path)
    # Unchanged content is not rewritten: tools watching the file see no spurious change.
    if path.exists() and path.read_bytes() == data:
        return
    write_atomic(path, data, mode=0o600)


def read_server(path: Path) -> str | None:
    """The server URL of the file's current context, or None when there is no usable file."""
    try:
        config = yaml.safe_load(Path(path).read_text())
        context = next(c["context"] for c in config["contexts"] if c["name"] == config["current-context"])
        return next(c["cluster"]["server"] for c in config["clusters"] if c["name"] == context["cluster"])
    except (OSError, yaml.YAMLError, KeyError, TypeError, StopIteration):
        return None


def _b64(path: Path) -> str:
    return base64.b64encode(Path(path).read_bytes()).decode("ascii")


def write_atomic(path: Path, data: bytes, mode: int) -> None:
    """Readers (other replicas, etcd members, kubectl) never see a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
