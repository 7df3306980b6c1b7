from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from certs.pki import PkiPaths, issue_untrusted_client_cert
from etcd.launcher import EtcdCluster

REPO_ROOT = Path(__file__).resolve().parents[2]


def etcdctl(pki: PkiPaths, endpoints: list[str], *args: str, client_cert: bool = True,
            timeout: str = "10s") -> subprocess.CompletedProcess[str]:
    cmd = ["etcdctl", f"--endpoints={','.join(endpoints)}", f"--cacert={pki.etcd_ca_cert}",
           "--dial-timeout=1s", f"--command-timeout={timeout}"]
    if client_cert:
        cmd += [f"--cert={pki.etcd_client_cert}", f"--key={pki.etcd_client_key}"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=30,
                          env={**os.environ, "ETCDCTL_API": "3"})


def test_cluster_is_healthy_with_three_members(etcd_cluster: EtcdCluster) -> None:
    assert len(etcd_cluster.members) == 3
    assert all(url.startswith("https://127.0.0.1:") for url in etcd_cluster.client_urls)
    assert etcd_cluster.servers_flag == ",".join(etcd_cluster.client_urls)
    assert all(etcd_cluster.is_healthy(i) for i in range(3))
    assert etcd_cluster.leader_index() in (0, 1, 2)


def test_member_list_shows_three_members(etcd_cluster: EtcdCluster, pki: PkiPaths) -> None:
    result = etcdctl(pki, etcd_cluster.client_urls, "member", "list", "-w", "json")
    assert result.returncode == 0, result.stderr
    members = json.loads(result.stdout)["members"]
    assert sorted(m["name"] for m in members) == sorted(m.name for m in etcd_cluster.members)
    assert sorted(u for m in members for u in m["clientURLs"]) == sorted(etcd_cluster.client_urls)


def test_client_without_cert_is_refused(etcd_cluster: EtcdCluster, pki: PkiPaths) -> None:
    result = etcdctl(pki, etcd_cluster.client_urls[:1], "get", "x", client_cert=False, timeout="2s")
    assert result.returncode != 0
    no_cert = ssl.create_default_context(cafile=str(pki.etcd_ca_cert))
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{etcd_cluster.client_urls[0]}/health", context=no_cert, timeout=5).read()


def test_client_cert_from_another_ca_is_refused(etcd_cluster: EtcdCluster, pki: PkiPaths, tmp_path: Path) -> None:
    pair = issue_untrusted_client_cert(tmp_path, "intruder", "kube-apiserver-etcd-client")
    context = ssl.create_default_context(cafile=str(pki.etcd_ca_cert))
    context.load_cert_chain(str(pair.cert), str(pair.key))
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{etcd_cluster.client_urls[0]}/health", context=context, timeout=5).read()


def test_survives_a_dead_member_which_then_rejoins(
        etcd_cluster_factory: Callable[..., EtcdCluster], pki: PkiPaths) -> None:
    cluster = etcd_cluster_factory(members=3)
    victim = cluster.leader_index()
    assert victim is not None
    cluster.kill_member(victim)
    assert not cluster.members[victim].is_running()
    survivors = [i for i in range(3) if i != victim]
    # A put sent before the survivors notice the dead leader is forwarded to it and lost until etcd's 7 s
    # request timeout; once they answer /health they have a new leader.
    cluster.wait_healthy(survivors, timeout=10)

    put = etcdctl(pki, [cluster.client_urls[i] for i in survivors], "put", "/launcher/k", "written-while-down")
    assert put.returncode == 0, put.stderr

    cluster.start_member(victim)
    local_read = etcdctl(pki, [cluster.client_urls[victim]], "get", "/launcher/k", "--print-value-only",
                         "--consistency=s")
    assert local_read.stdout.strip() == "written-while-down", local_read.stderr
    status = etcdctl(pki, cluster.client_urls, "endpoint", "status", "-w", "json")
    assert status.returncode == 0, status.stderr
    assert len({s["Status"]["leader"] for s in json.loads(status.stdout)}) == 1


def test_cli_up_down_keeps_data_and_ports(tmp_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "etcd", *args, "--state-dir", str(tmp_path)],
                              cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)

    try:
        up = cli("up", "--members", "1")
        assert up.returncode == 0, up.stderr
        servers = up.stdout.strip().splitlines()[-1].removeprefix("--etcd-servers=")
        pki = PkiPaths.under(tmp_path / "pki")
        assert etcdctl(pki, [servers], "put", "k", "v").returncode == 0

        assert cli("status").returncode == 0
        assert cli("down").returncode == 0
        assert cli("status").returncode == 1

        again = cli("up")
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip().splitlines()[-1] == f"--etcd-servers={servers}"
        assert etcdctl(pki, [servers], "get", "k", "--print-value-only").stdout.strip() == "v"
    finally:
        assert cli("down").returncode == 0
    assert "pid" in json.loads((tmp_path / "etcd" / "cluster.json").read_text())["members"][0]
