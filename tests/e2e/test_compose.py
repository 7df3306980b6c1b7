"""compose.yaml for real: a private Docker engine (no bridge, host networking only), the image built with no
network, the whole topology up, kubectl through the containerised balancer, containers killed, `down -v`."""
from __future__ import annotations

import os
import random
import shutil
import socket
import ssl
import subprocess
import tempfile
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.polling import eventually_sync

ROOT = Path(__file__).resolve().parents[2]
SERVICES = 7   # 3 etcd, 3 replicas, the balancer (the certs job exits)


def _low_free_port(taken: set[int]) -> int:
    """Below 32768: with host networking an ephemeral outgoing connection could take a higher one."""
    while True:
        port = random.randint(10000, 32000)
        if port in taken:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        taken.add(port)
        return port


def _ensure_tools() -> None:
    if all(shutil.which(t) for t in ("dockerd", "docker-compose", "debootstrap")):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("needs root and apt-get to install docker.io, docker-compose and debootstrap")
    subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "docker.io", "docker-compose", "debootstrap"], check=True,
                   capture_output=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def test_compose_topology_survives_killed_containers(tmp_path):
    _ensure_tools()
    engine = Path(tempfile.mkdtemp(prefix="pyk-engine-", dir="/tmp"))
    ports: set[int] = set()
    env = {**os.environ, "DOCKER_HOST": f"unix://{engine}/docker.sock", "PKI_DIR": str(tmp_path / "pki"),
           "DOCKER_CACHE": str(ROOT / "state" / "docker-cache")}
    for name in ("LB_PORT", "LB_ADMIN_PORT", "APISERVER1_PORT", "APISERVER2_PORT", "APISERVER3_PORT",
                 "ETCD1_CLIENT_PORT", "ETCD1_PEER_PORT", "ETCD2_CLIENT_PORT", "ETCD2_PEER_PORT",
                 "ETCD3_CLIENT_PORT", "ETCD3_PEER_PORT"):
        env[name] = str(_low_free_port(ports))
    project = f"pyk{uuid.uuid4().hex[:6]}"
    kubeconfig = tmp_path / "pki" / "admin.kubeconfig"

    def run(*cmd: str, timeout: float = 300) -> subprocess.CompletedProcess:
        result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"{' '.join(cmd)}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        return result

    def compose(*args: str) -> subprocess.CompletedProcess:
        result = subprocess.run(["docker-compose", "-p", project, *args], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=300)
        if result.returncode != 0:
            logs = subprocess.run(["docker-compose", "-p", project, "logs", "--tail=30"], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=60).stdout
            raise AssertionError(f"docker-compose {' '.join(args)}:\n{result.stderr[-2000:]}\n{logs[-6000:]}")
        return result

    def kubectl(*args: str) -> str:
        return run("kubectl", f"--kubeconfig={kubeconfig}", f"--cache-dir={tmp_path / 'cache'}", *args,
                   timeout=60).stdout

    run("docker/engine.sh", "start", str(engine))
    try:
        run("docker/base-image.sh")
        run("docker/build.sh")
        compose("up", "-d")

        def all_healthy() -> bool:
            out = run("docker", "ps", "--filter", f"label=com.docker.compose.project={project}",
                      "--filter", "health=healthy", "--format", "{{.Names}}").stdout
            assert len(out.split()) == SERVICES, run("docker", "ps", "-a").stdout
            return True

        eventually_sync(all_healthy, timeout=180, interval=1)
        assert "default" in kubectl("get", "ns")
        # the containers run make up's production profile: no anonymous access, even to /readyz
        context = ssl.create_default_context(cafile=str(tmp_path / "pki" / "ca.crt"))
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"https://127.0.0.1:{env['LB_PORT']}/readyz", context=context, timeout=10)
        assert refused.value.code == 401
        kubectl("create", "ns", "compose")
        kubectl("-n", "compose", "create", "configmap", "before", "--from-literal=a=b")

        compose("kill", "apiserver-2")
        kubectl("-n", "compose", "create", "configmap", "after-replica", "--from-literal=a=b")
        compose("kill", "etcd-3")
        kubectl("-n", "compose", "create", "configmap", "after-etcd", "--from-literal=a=b")
        # kube-root-ca.crt, which every namespace gets, may or may not be there yet
        names = [n for n in kubectl("-n", "compose", "get", "cm", "-o", "name").split()
                 if n != "configmap/kube-root-ca.crt"]
        assert names == ["configmap/after-etcd", "configmap/after-replica", "configmap/before"]
    finally:
        subprocess.run(["docker-compose", "-p", project, "down", "-v", "-t", "1"], cwd=ROOT, env=env,
                       capture_output=True, timeout=120)
        subprocess.run(["docker/engine.sh", "stop", str(engine)], cwd=ROOT, env=env, capture_output=True,
                       timeout=60)
        shutil.rmtree(engine, ignore_errors=True)
