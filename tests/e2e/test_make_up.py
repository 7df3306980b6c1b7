"""`python -m cluster up` (what `make up` runs): the production profile through the bundled load balancer.

Anonymous requests are refused, the health and version paths are open to any authenticated user through
system:public-info-viewer and nothing more, Node,RBAC decides, bound ServiceAccount tokens work end to end,
and Secrets are encrypted at rest with the key certs/ made for the cluster."""
from __future__ import annotations

import json
import os
import ssl
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from certs.pki import PkiPaths
from tests.e2e.conftest import Topology
from tests.integration.tls_tools import OPENSSL, openssl_connects
from tests.polling import eventually_sync


@pytest.fixture(scope="module")
def state(make_up: Topology) -> Path:
    return make_up.state


@pytest.fixture(scope="module")
def pki(state) -> PkiPaths:
    return PkiPaths.under(state / "pki")


@pytest.fixture(scope="module")
def lb_url(state) -> str:
    return f"https://127.0.0.1:{json.loads((state / 'cluster.json').read_text())['lb']['port']}"


@pytest.fixture
def kubectl(pki, tmp_path):
    def run(*args: str, check: bool = True, kubeconfig: Path | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run(["kubectl", f"--kubeconfig={kubeconfig or pki.admin_kubeconfig}",
                                 f"--cache-dir={tmp_path / 'cache'}", *args],
                                capture_output=True, text=True, timeout=60)
        if check:
            assert result.returncode == 0, f"kubectl {' '.join(args)}: {result.stderr}"
        return result

    return run


def get(url: str, pki: PkiPaths, cert: tuple[Path, Path] | None = None,
        token: str | None = None) -> tuple[int, bytes]:
    context = ssl.create_default_context(cafile=str(pki.ca_cert))
    if cert:
        context.load_cert_chain(str(cert[0]), str(cert[1]))
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_anonymous_requests_are_unauthorized(lb_url, pki):
    for path in ("/api/v1/namespaces", "/healthz", "/version"):
        code, body = get(lb_url + path, pki)
        assert code == 401, path
        status = json.loads(body)
        assert (status["kind"], status["reason"], status["code"]) == ("Status", "Unauthorized", 401)


def test_an_unprivileged_user_reads_only_public_info(lb_url, pki):
    health = (pki.health_check_cert, pki.health_check_key)
    for path in ("/healthz", "/livez", "/readyz", "/version"):
        code, _ = get(lb_url + path, pki, health)
        assert code == 200, path
    code, body = get(lb_url + "/readyz?verbose", pki, (pki.admin_cert, pki.admin_key))
    assert code == 200 and b"[+]poststarthook/rbac/bootstrap-roles ok" in body
    code, body = get(lb_url + "/api/v1/namespaces", pki, health)
    assert code == 403
    assert json.loads(body)["message"] == ('namespaces is forbidden: User "system:health-check" cannot list '
                                           'resource "namespaces" in API group "" at the cluster scope')
    assert get(lb_url + "/metrics", pki, health)[0] == 403


@pytest.mark.skipif(OPENSSL is None, reason="needs the openssl command")
def test_tls_below_1_2_is_refused(lb_url):
    port = int(lb_url.rsplit(":", 1)[1])
    assert not openssl_connects(port, "-tls1_1")
    assert openssl_connects(port, "-tls1_2")


def test_rbac_decides_for_an_impersonated_developer(kubectl):
    ns = "prod-profile"
    kubectl("create", "namespace", ns)
    assert kubectl("auth", "can-i", "create", "pods", "--as", "developer", "-n", ns, check=False).stdout.strip() \
        == "no"
    kubectl("create", "rolebinding", "dev-edit", "--clusterrole=edit", "--user=developer", "-n", ns)
    eventually_sync(lambda: kubectl("auth", "can-i", "create", "pods", "--as", "developer", "-n", ns,
                                    check=False).stdout.strip() == "yes", interval=0.2, what="the binding in effect")
    assert kubectl("auth", "can-i", "create", "pods", "--as", "developer", "-n", "default",
                   check=False).stdout.strip() == "no"
    listed = kubectl("auth", "can-i", "--list", "--as", "developer", "-n", ns).stdout
    assert any(line.startswith("pods ") and "create" in line for line in listed.splitlines())
    whoami = json.loads(kubectl("auth", "whoami", "-o", "json").stdout)
    assert whoami["status"]["userInfo"]["username"] == "kubernetes-admin"
    assert "system:masters" in whoami["status"]["userInfo"]["groups"]


def test_bound_service_account_token_through_the_balancer(kubectl, pki, tmp_path):
    eventually_sync(lambda: kubectl("get", "serviceaccount", "default", "-n", "default", check=False).returncode == 0,
                    timeout=30, interval=0.2, what="the default ServiceAccount in default")
    token = kubectl("create", "token", "default").stdout.strip()
    config = yaml.safe_load(pki.admin_kubeconfig.read_text())
    config["users"][0]["user"] = {"token": token}
    with_token = tmp_path / "token.kubeconfig"
    with_token.write_text(yaml.safe_dump(config))
    whoami = json.loads(kubectl("auth", "whoami", "-o", "json", kubeconfig=with_token).stdout)
    info = whoami["status"]["userInfo"]
    assert info["username"] == "system:serviceaccount:default:default"
    assert {"system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"} <= \
        set(info["groups"])
    # the ServiceAccount holds only what the default policy gives every authenticated user
    denied = kubectl("get", "secrets", "-n", "default", kubeconfig=with_token, check=False)
    assert denied.returncode != 0 and "Forbidden" in denied.stderr


def test_secrets_are_encrypted_at_rest(state, kubectl):
    kubectl("create", "secret", "generic", "s1", "--from-literal=password=swordfish")
    shown = kubectl("get", "secret", "s1", "-o", "jsonpath={.data.password}").stdout
    assert shown == "c3dvcmRmaXNo"
    etcd = json.loads((state / "etcd" / "cluster.json").read_text())
    endpoints = ",".join(f"https://{etcd['host']}:{m['client_port']}" for m in etcd["members"])
    pki = state / "pki"
    raw = subprocess.run(
        ["etcdctl", f"--endpoints={endpoints}", f"--cacert={pki}/etcd/ca.crt",
         f"--cert={pki}/apiserver-etcd-client.crt", f"--key={pki}/apiserver-etcd-client.key",
         "get", "/registry/secrets/default/s1", "--print-value-only"],
        check=True, capture_output=True, timeout=30, env={**os.environ, "ETCDCTL_API": "3"}).stdout
    assert raw.startswith(b"k8s:enc:aescbc:v1:key1:") and b"swordfish" not in raw
