from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509

from certs.expiration import report, short_human_duration
from certs.pki import PkiPaths, ensure_pki

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> PkiPaths:
    return ensure_pki(tmp_path_factory.mktemp("pki"), "testnode")


def not_after(path: Path) -> dt.datetime:
    return x509.load_pem_x509_certificate(path.read_bytes()).not_valid_after_utc


@pytest.mark.parametrize("seconds, text", [
    (-5, "<invalid>"), (-1, "0s"), (0, "0s"), (59, "59s"), (60, "1m"), (3599, "59m"), (3600, "1h"),
    (86399, "23h"), (86400, "1d"), (364 * 86400 + 3600, "364d"), (365 * 86400, "1y"), (3649 * 86400, "9y"),
])
def test_short_human_duration(seconds: int, text: str) -> None:
    assert short_human_duration(dt.timedelta(seconds=seconds)) == text


def test_report_lists_every_certificate_as_kubeadm_does(paths: PkiPaths) -> None:
    now = not_after(paths.apiserver_cert) - dt.timedelta(days=364, hours=1)
    lines = report(paths, now).splitlines()
    header = "CERTIFICATE                     EXPIRES                  RESIDUAL TIME   CERTIFICATE AUTHORITY   " \
             "EXTERNALLY MANAGED"
    assert lines[0] == header
    names = [line.split()[0] for line in lines[1:12]]
    assert names == ["admin.kubeconfig", "apiserver", "apiserver-etcd-client", "apiserver-kubelet-client",
                     "controller-manager.kubeconfig", "etcd-peer", "etcd-server", "front-proxy-client",
                     "health-check-client", "node.kubeconfig", "scheduler.kubeconfig"]
    expires = not_after(paths.apiserver_cert).strftime("%b %d, %Y %H:%M UTC")
    apiserver = next(line for line in lines if line.startswith("apiserver "))
    assert apiserver == f"apiserver                       {expires}   364d            ca                      no      "
    assert next(line for line in lines if line.startswith("front-proxy-client")).split()[-2:] == \
        ["front-proxy-ca", "no"]
    assert next(line for line in lines if line.startswith("etcd-peer")).split()[-2:] == ["etcd-ca", "no"]
    assert lines[12] == ""
    assert lines[13] == "CERTIFICATE AUTHORITY   EXPIRES                  RESIDUAL TIME   EXTERNALLY MANAGED"
    assert [line.split()[0] for line in lines[14:]] == ["ca", "etcd-ca", "front-proxy-ca"]
    assert lines[14].split()[6] == "9y"


def test_expired_missing_and_external(tmp_path: Path) -> None:
    paths = ensure_pki(tmp_path, "testnode")
    paths.scheduler_kubeconfig.unlink()
    paths.front_proxy_ca_key.unlink()
    later = not_after(paths.apiserver_cert) + dt.timedelta(days=1)
    lines = report(paths, later).splitlines()
    assert any(line.rstrip() == "!MISSING! scheduler.kubeconfig" for line in lines)
    assert "<invalid>" in next(line for line in lines if line.startswith("apiserver "))
    assert next(line for line in lines if line.startswith("front-proxy-client")).split()[-1] == "yes"
    assert next(line for line in lines if line.startswith("front-proxy-ca")).split()[-1] == "yes"
    assert next(line for line in lines if line.startswith("ca ")).split()[-1] == "no"


def test_command_line(paths: PkiPaths, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "certs", "check-expiration", "--dir", str(paths.directory)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("CERTIFICATE ")
    assert "apiserver-kubelet-client" in done.stdout and "front-proxy-ca" in done.stdout
    missing = subprocess.run([sys.executable, "-m", "certs", "check-expiration", "--dir", str(tmp_path / "none")],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "is not a directory" in missing.stderr
