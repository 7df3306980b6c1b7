"""The cost of encryption at rest: creates/s and GETs/s of Secrets through one replica per provider
(identity, aescbc, aesgcm, secretbox, kms v2 with the local plugin) against the same etcd cluster, measured
in turns over several rounds, as ratios to identity from the same run.

GETs carry no resourceVersion, so each one is read from etcd and decrypted (resourceVersion=0 would be
served from the watch cache, which holds objects already decrypted). `python -m bench` runs this after its
other measurements; `python -m bench.encryption` runs it alone.
"""
from __future__ import annotations

import base64
import os
from pathlib import Path

import uvloop

from bench.measure import Result, compare, print_ratios, replicas, run_alone
from certs.pki import PkiPaths
from cluster.kmsplugin import KMSPluginProcess
from etcd.launcher import EtcdCluster


def _with_new_key(provider: str) -> str:
    """The configuration entry of a provider with one key, new and random."""
    return f"{provider}: {{keys: [{{name: k, secret: {base64.b64encode(os.urandom(32)).decode()}}}]}}"


# provider → its entry in the configuration (None: no configuration at all, Secrets stored in plaintext)
PROVIDERS: dict[str, str | None] = {
    "identity": None,
    "aescbc": _with_new_key("aescbc"),
    "aesgcm": _with_new_key("aesgcm"),
    "secretbox": _with_new_key("secretbox"),
    # the local plugin (kmsplugin/) on a socket in the run's scratch directory
    "kms": "kms: {apiVersion: v2, name: bench, endpoint: 'unix://%(socket)s'}",
}
SECRET_DATA = {"v": base64.b64encode(b"x" * 1000).decode()}   # ~1 KiB like the other benchmarks


def _config(root: Path, provider: str, entry: str) -> Path:
    path = root / f"encryption-{provider}.yaml"
    path.write_text("apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n"
                    f"  - resources: [secrets]\n    providers:\n      - {{{entry}}}\n")
    return path


def _secret(name: str) -> dict:
    return {"metadata": {"name": name}, "data": SECRET_DATA}


def bench_encryption(cluster: EtcdCluster, pki: PkiPaths, root: Path, seconds: float,
                     concurrency: int) -> list[Result]:
    """A replica per provider, all started first; only the one being measured has work at any moment."""
    plugin = KMSPluginProcess(root / "kms.sock", root / "kms-keys.json", root / "kmsplugin.log")
    plugin.start()
    try:
        flags = {provider: [f"--encryption-provider-config="
                            f"{_config(root, provider, entry % {'socket': plugin.socket})}"] if entry else []
                 for provider, entry in PROVIDERS.items()}
        with replicas(cluster, pki, root, flags) as urls:
            return uvloop.run(compare(urls, pki, "api/v1/secrets", _secret, seconds, concurrency))
    finally:
        plugin.stop()


def print_encryption(results: list[Result]) -> None:
    print_ratios("Secrets with encryption at rest (a replica per provider, in turns; GETs read from etcd and "
                 "decrypted):", results, "identity", list(PROVIDERS)[1:])


def main() -> None:
    run_alone("python -m bench.encryption", "pykube-encbench-", bench_encryption, print_encryption,
              "concurrency {concurrency}, {seconds:.0f}s per measurement, ~1 KiB Secrets, 3-member etcd, mTLS")


if __name__ == "__main__":
    main()
