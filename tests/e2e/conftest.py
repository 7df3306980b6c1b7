"""End-to-end tests reuse the replica fixtures: real processes, real etcd, real clients."""
import os
import subprocess

import pytest

from certs.kubeconfig import write_kubeconfig
from tests.integration.conftest import api, apiserver, new_ns, replica_factory  # noqa: F401


@pytest.fixture(scope="session")
def kubeconfig(apiserver, pki, tmp_path_factory):
    path = tmp_path_factory.mktemp("kube") / "admin.kubeconfig"
    write_kubeconfig(path, apiserver.url, pki.ca_cert, pki.admin_cert, pki.admin_key)
    return path


@pytest.fixture
def kubectl(kubeconfig, tmp_path):
    """Runs the machine's real kubectl with the admin kubeconfig and a per-test discovery cache."""
    cache = tmp_path / "kube-cache"

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
