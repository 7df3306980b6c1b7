"""The production profile: the flags `make up` and compose give every replica (the seed's production checklist:
no anonymous requests, Node,RBAC, NodeRestriction and PodSecurity admission, bound ServiceAccount tokens, TLS 1.2
or later, Secrets encrypted at rest).

`python -m cluster.production --pki-dir D --port P --etcd-servers URLS --encryption-config F` becomes such a
replica; docker/apiserver.sh runs it, so the containers run exactly `make up`'s command line.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from certs.pki import PkiPaths
from cluster.replica import ReplicaSpec

# kubeadm's issuer: the in-cluster name of the API, so that tokens name the cluster and not one replica
SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local"
# longer than the balancer needs to see /readyz fail (2 checks 500 ms apart), so it drains a stopping replica
SHUTDOWN_DELAY = "3s"


def production_flags(pki: PkiPaths, encryption_config: Path) -> list[str]:
    return [
        "--anonymous-auth=false",
        "--authorization-mode=Node,RBAC",
        # the checklist's two security plugins, named although PodSecurity is on by default (kubeadm names
        # NodeRestriction; the checklist looks for both in this flag)
        "--enable-admission-plugins=NodeRestriction,PodSecurity",
        "--tls-min-version=VersionTLS12",
        "--enable-bootstrap-token-auth",
        f"--service-account-issuer={SERVICE_ACCOUNT_ISSUER}",
        f"--service-account-signing-key-file={pki.sa_key}",
        # every key verifies (sa-previous stands for a key being rotated out); only sa.key signs
        *(f"--service-account-key-file={key}" for key in pki.service_account_public_keys),
        # the front proxy's headers, trusted only from its certificate (kubeadm's names)
        f"--requestheader-client-ca-file={pki.front_proxy_ca_cert}",
        "--requestheader-allowed-names=front-proxy-client",
        "--requestheader-username-headers=X-Remote-User",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        f"--encryption-provider-config={encryption_config}",
        "--encryption-provider-config-automatic-reload",
        f"--shutdown-delay-duration={SHUTDOWN_DELAY}",
    ]


def production_replica(pki: PkiPaths, etcd_servers: str, port: int, encryption_config: Path,
                       log_file: Path) -> ReplicaSpec:
    return ReplicaSpec(pki=pki, etcd_servers=etcd_servers, port=port, log_file=log_file,
                       extra_flags=production_flags(pki, encryption_config))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m cluster.production")
    parser.add_argument("--pki-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--etcd-servers", required=True)
    parser.add_argument("--encryption-config", type=Path, required=True)
    args = parser.parse_args(argv)
    pki = PkiPaths.under(args.pki_dir)
    # a container's output is its log, so the replica writes to this process's stdout
    spec = production_replica(pki, args.etcd_servers, args.port, args.encryption_config, Path("/dev/stdout"))
    command = spec.command()
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
