"""End-to-end tests reuse the replica fixtures: real processes, real etcd, real clients."""
from tests.integration.conftest import api, apiserver, new_ns, replica_factory  # noqa: F401

import pytest

from certs.kubeconfig import write_kubeconfig


@pytest.fixture(scope="session")
def kubeconfig(apiserver, pki, tmp_path_factory):
    path = tmp_path_factory.mktemp("kube") / "admin.kubeconfig"
    write_kubeconfig(path, apiserver.url, pki.ca_cert, pki.admin_cert, pki.admin_key)
    return path
