"""End-to-end tests reuse the replica fixtures: real processes, real etcd, real clients."""
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from certs.kubeconfig import write_kubeconfig
from tests.integration.conftest import api, apiserver, new_ns, replica_factory  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def kubeconfig(apiserver, pki, tmp_path_factory):
    path = tmp_path_factory.mktemp("kube") / "admin.kubeconfig"
    write_kubeconfig(path, apiserver.url, pki.ca_cert, pki.admin_cert, pki.admin_key)
    return path


@pytest.fixture
def kubectl(kubeconfig, tmp_path):
    """Runs the machine's real kubectl with the admin kubeconfig and a per-test discovery cache."""
    return kubectl_runner(kubeconfig, tmp_path / "kube-cache")


def kubectl_runner(kubeconfig: Path | str, cache: Path):
    """kubectl with `kubeconfig` and a discovery cache of its own: run(*args) -> the finished process, checked
    for success unless check=False."""
    def run(*args: str, check: bool = True, timeout: float = 60,
            input_text: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run(["kubectl", f"--kubeconfig={kubeconfig}", f"--cache-dir={cache}", *args],
                                capture_output=True, text=True, timeout=timeout, input=input_text,
                                env={**os.environ, **env} if env else None)
        if check:
            assert result.returncode == 0, f"kubectl {' '.join(args)}: {result.stderr}"
        return result

    run.cache = cache
    return run


@dataclass(frozen=True)
class Topology:
    """A cluster as `make up` leaves it: its state directory and what the command printed."""
    state: Path
    output: str


def run_cluster(state: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cluster", f"--state-dir={state}", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="session")
def make_up(tmp_path_factory) -> Iterator[Topology]:
    """The topology of `make up` (3 etcd members, 3 replicas in the production profile, the balancer), started
    once per session because it takes tens of seconds. `make up`'s recipe, once the venv and etcd exist, is
    `python -m cluster up`; it runs here on a state directory of the session's own."""
    state = tmp_path_factory.mktemp("make-up") / "state"
    try:
        up = run_cluster(state, "up")
        assert up.returncode == 0, up.stdout + up.stderr
        yield Topology(state, up.stdout)
    finally:
        run_cluster(state, "down")


@pytest.fixture(scope="session")
def make_up_kubeconfig(make_up: Topology) -> str:
    """The admin kubeconfig `make up` told its user to export (it reaches the replicas through the balancer)."""
    printed = re.search(r"^export KUBECONFIG=(\S+)$", make_up.output, re.MULTILINE)
    assert printed, f"`make up` printed no export KUBECONFIG line:\n{make_up.output}"
    assert Path(printed.group(1)).is_file()
    return printed.group(1)


@pytest.fixture
def make_up_kubectl(make_up_kubeconfig: str, tmp_path):
    """The machine's kubectl against `make up`'s balancer, as its admin."""
    return kubectl_runner(make_up_kubeconfig, tmp_path / "kube-cache")
