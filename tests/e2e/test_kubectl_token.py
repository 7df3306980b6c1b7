"""`kubectl create token` against a replica that issues ServiceAccount tokens, then kubectl with that token."""
from __future__ import annotations

import jwt
import pytest
import yaml

from certs.kubeconfig import write_kubeconfig
from tests.integration.sa_tools import ISSUER, make_sa_keys
from tests.polling import eventually_sync


@pytest.fixture(scope="module")
def token_replica(replica_factory, tmp_path_factory):
    keys = make_sa_keys(tmp_path_factory.mktemp("sa-keys"))
    # without anonymous access, a request that succeeds was authenticated by its token
    return replica_factory(*keys.flags(), "--anonymous-auth=false")


@pytest.fixture(scope="module")
def kubeconfig(token_replica, pki, tmp_path_factory):
    """The admin kubeconfig of the shared `kubectl` fixture, pointed at the token-issuing replica."""
    path = tmp_path_factory.mktemp("kube") / "admin.kubeconfig"
    write_kubeconfig(path, token_replica.url, pki.ca_cert, pki.admin_cert, pki.admin_key)
    return path


def _token_kubeconfig(admin_kubeconfig, token: str, path):
    """The same cluster, with the bearer token as the only credential."""
    config = yaml.safe_load(admin_kubeconfig.read_text())
    config["users"][0]["user"] = {"token": token}
    path.write_text(yaml.safe_dump(config))
    return path


def test_kubectl_create_token_then_use_it(kubectl, kubeconfig, tmp_path):
    eventually_sync(lambda: kubectl("get", "serviceaccount", "default", "-n", "default", check=False).returncode == 0,
                    timeout=30, interval=0.2, what="the default ServiceAccount in default")
    token = kubectl("create", "token", "default", "--duration=20m").stdout.strip()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == ISSUER and claims["sub"] == "system:serviceaccount:default:default"
    assert claims["exp"] - claims["iat"] == 1200
    with_token = _token_kubeconfig(kubeconfig, token, tmp_path / "token.kubeconfig")
    result = kubectl(f"--kubeconfig={with_token}", "get", "serviceaccounts", "-n", "default", "-o", "name")
    assert "serviceaccount/default" in result.stdout.split()
    forged = _token_kubeconfig(kubeconfig, token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"),
                               tmp_path / "forged.kubeconfig")
    result = kubectl(f"--kubeconfig={forged}", "get", "serviceaccounts", "-n", "default", check=False)
    assert result.returncode != 0 and "Unauthorized" in result.stderr
