"""etcdctl against the test cluster, to look at what the server stored and to compact history."""
from __future__ import annotations

import base64
import json
import os
import subprocess


def etcdctl(cluster, pki, *args: str) -> str:
    env = {**os.environ, "ETCDCTL_API": "3"}
    cmd = ["etcdctl", f"--endpoints={cluster.servers_flag}", f"--cacert={pki.etcd_ca_cert}",
           f"--cert={pki.etcd_client_cert}", f"--key={pki.etcd_client_key}", *args]
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, timeout=30).stdout


def current_revision(cluster, pki) -> int:
    out = etcdctl(cluster, pki, "endpoint", "status", "-w", "json")
    return max(entry["Status"]["header"]["revision"] for entry in json.loads(out))


def compact(cluster, pki) -> int:
    revision = current_revision(cluster, pki)
    etcdctl(cluster, pki, "compact", str(revision), "--physical")
    return revision


def raw_value(cluster, pki, key: str) -> bytes | None:
    """The bytes etcd holds at `key` (the JSON output carries them in base64, so binary values survive)."""
    out = json.loads(etcdctl(cluster, pki, "get", key, "-w", "json"))
    kvs = out.get("kvs") or []
    return base64.b64decode(kvs[0]["value"]) if kvs else None
