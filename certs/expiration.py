"""`python -m certs check-expiration`: every certificate of the PKI with its expiry, in kubeadm's table format."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml
from cryptography import x509

from certs.pki import PkiPaths

# Go's text/tabwriter as kubeadm configures it: minimum cell width 10, padding 3, spaces
MIN_WIDTH = 10
PADDING = 3


@dataclass(frozen=True)
class Authority:
    name: str
    cert: Path
    key: Path


@dataclass(frozen=True)
class Entry:
    """One row: a certificate file, or a kubeconfig whose embedded client certificate is read."""

    name: str
    path: Path
    authority: Authority


def authorities(paths: PkiPaths) -> tuple[Authority, ...]:
    return (Authority("ca", paths.ca_cert, paths.ca_key),
            Authority("etcd-ca", paths.etcd_ca_cert, paths.etcd_ca_key),
            Authority("front-proxy-ca", paths.front_proxy_ca_cert, paths.front_proxy_ca_key))


def entries(paths: PkiPaths) -> list[Entry]:
    ca, etcd_ca, front_proxy_ca = authorities(paths)
    rows = [
        Entry("admin.kubeconfig", paths.admin_kubeconfig, ca),
        Entry("apiserver", paths.apiserver_cert, ca),
        Entry("apiserver-etcd-client", paths.etcd_client_cert, etcd_ca),
        Entry("apiserver-kubelet-client", paths.apiserver_kubelet_client_cert, ca),
        Entry("controller-manager.kubeconfig", paths.controller_manager_kubeconfig, ca),
        Entry("etcd-peer", paths.etcd_peer_cert, etcd_ca),
        Entry("etcd-server", paths.etcd_server_cert, etcd_ca),
        Entry("front-proxy-client", paths.front_proxy_client_cert, front_proxy_ca),
        Entry("health-check-client", paths.health_check_cert, ca),
        Entry("node.kubeconfig", paths.node_kubeconfig, ca),
        Entry("scheduler.kubeconfig", paths.scheduler_kubeconfig, ca),
    ]
    return sorted(rows, key=lambda e: e.name)


def load_certificate(path: Path) -> x509.Certificate | None:
    """The certificate in a PEM file, or the client certificate embedded in a kubeconfig; None when unreadable."""
    try:
        data = path.read_bytes()
        if path.suffix == ".kubeconfig":
            config = yaml.safe_load(data)
            context = next(c["context"] for c in config["contexts"] if c["name"] == config["current-context"])
            user = next(u["user"] for u in config["users"] if u["name"] == context["user"])
            data = base64.b64decode(user["client-certificate-data"])
        return x509.load_pem_x509_certificate(data)
    except (OSError, ValueError, yaml.YAMLError, KeyError, TypeError, StopIteration):
        return None


def short_human_duration(delta: dt.timedelta) -> str:
    """apimachinery's ShortHumanDuration: one unit, rounded down; a little in the past still reads as now."""
    seconds = int(delta.total_seconds())
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    hours = seconds // 3600
    if hours < 24:
        return f"{hours}h"
    if hours < 24 * 365:
        return f"{hours // 24}d"
    return f"{hours // (24 * 365)}y"


def _expiry(cert: x509.Certificate, now: dt.datetime) -> tuple[str, str]:
    not_after = cert.not_valid_after_utc
    return not_after.strftime("%b %d, %Y %H:%M UTC"), short_human_duration(not_after - now)


def _yes_no(flag: bool) -> str:
    return f"{'yes' if flag else 'no':<8}"


def _tabulate(lines: list[list[str]]) -> list[str]:
    """Aligns tab-terminated cells as Go's tabwriter does; each line's last element is trailing text."""
    columns = max(len(line) - 1 for line in lines)
    widths = [max([MIN_WIDTH] + [len(line[i]) + PADDING for line in lines if i < len(line) - 1])
              for i in range(columns)]
    return ["".join(cell.ljust(widths[i]) for i, cell in enumerate(line[:-1])) + line[-1] for line in lines]


def report(paths: PkiPaths, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    # a CA whose key is not here is managed elsewhere, and so is everything it signs (kubeadm's external CA)
    external = {a.name: not a.key.exists() for a in authorities(paths)}
    certs = [["CERTIFICATE", "EXPIRES", "RESIDUAL TIME", "CERTIFICATE AUTHORITY", "EXTERNALLY MANAGED"]]
    for entry in entries(paths):
        cert = load_certificate(entry.path)
        if cert is None:
            certs.append([f"!MISSING! {entry.name}", "", "", "", ""])
            continue
        certs.append([entry.name, *_expiry(cert, now), entry.authority.name, _yes_no(external[entry.authority.name])])
    cas = [["CERTIFICATE AUTHORITY", "EXPIRES", "RESIDUAL TIME", "EXTERNALLY MANAGED"]]
    for authority in authorities(paths):
        cert = load_certificate(authority.cert)
        if cert is None:
            cas.append([f"!MISSING! {authority.name}", "", "", ""])
            continue
        cas.append([authority.name, *_expiry(cert, now), _yes_no(external[authority.name])])
    return "\n".join([*_tabulate(certs), "", *_tabulate(cas)]) + "\n"
