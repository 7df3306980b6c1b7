"""`python -m cluster up` (what `make up` runs) encrypts Secrets at rest with the key certs/ made for it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cluster(state: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cluster", f"--state-dir={state}", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_make_up_encrypts_secrets(tmp_path):
    state = tmp_path / "state"
    try:
        up = cluster(state, "up")
        assert up.returncode == 0, up.stdout + up.stderr
        kubeconfig = state / "pki" / "admin.kubeconfig"
        kubectl = ["kubectl", f"--kubeconfig={kubeconfig}"]
        subprocess.run([*kubectl, "create", "secret", "generic", "s1", "--from-literal=password=swordfish"],
                       check=True, capture_output=True, timeout=60)
        shown = subprocess.run([*kubectl, "get", "secret", "s1", "-o", "jsonpath={.data.password}"], check=True,
                               capture_output=True, text=True, timeout=60).stdout
        assert shown == "c3dvcmRmaXNo"
        etcd = json.loads((state / "etcd" / "cluster.json").read_text())
        endpoints = ",".join(f"https://{etcd['host']}:{m['client_port']}" for m in etcd["members"])
        pki = state / "pki"
        raw = subprocess.run(
            ["etcdctl", f"--endpoints={endpoints}", f"--cacert={pki}/etcd/ca.crt",
             f"--cert={pki}/apiserver-etcd-client.crt", f"--key={pki}/apiserver-etcd-client.key",
             "get", "/registry/secrets/default/s1", "--print-value-only"],
            check=True, capture_output=True, timeout=30, env={**os.environ, "ETCDCTL_API": "3"}).stdout
        assert raw.startswith(b"k8s:enc:aescbc:v1:key1:") and b"swordfish" not in raw
    finally:
        cluster(state, "down")
