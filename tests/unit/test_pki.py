from __future__ import annotations

import base64
import datetime as dt
import stat
from dataclasses import fields
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certs import pki as pki_module
from certs.__main__ import main as certs_main
from certs.pki import (
    PkiPaths,
    ensure_pki,
    issue_client_cert,
    issue_serving_cert,
    issue_untrusted_client_cert,
)

NODE = "testnode"


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def cn(cert: x509.Certificate) -> str:
    return cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value


def orgs(cert: x509.Certificate) -> list[str]:
    return [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]


def usages(cert: x509.Certificate) -> set[x509.ObjectIdentifier]:
    return set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)


def sans(cert: x509.Certificate) -> tuple[set[str], set[str]]:
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(san.get_values_for_type(x509.DNSName)), {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}


def issued_by(cert_path: Path, ca_path: Path) -> bool:
    try:
        load(cert_path).verify_directly_issued_by(load(ca_path))
    except (ValueError, InvalidSignature):
        return False
    return True


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> PkiPaths:
    return ensure_pki(tmp_path_factory.mktemp("pki"), NODE)


def test_every_file_exists_and_keys_are_private(paths: PkiPaths) -> None:
    for f in fields(PkiPaths):
        path = getattr(paths, f.name)
        assert path.exists(), f.name
        if path.suffix in (".key", ".kubeconfig"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, f.name
    assert paths.etcd_ca_cert.parent == paths.directory / "etcd"


def test_cluster_ca(paths: PkiPaths) -> None:
    ca = load(paths.ca_cert)
    assert cn(ca) == "kubernetes"
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert ca.not_valid_after_utc - ca.not_valid_before_utc > dt.timedelta(days=3640)


def test_apiserver_serving_cert(paths: PkiPaths) -> None:
    cert = load(paths.apiserver_cert)
    assert cn(cert) == "kube-apiserver"
    dns, ips = sans(cert)
    assert dns == {"kubernetes", "kubernetes.default", "kubernetes.default.svc",
                   "kubernetes.default.svc.cluster.local", "localhost", NODE}
    assert ips == {"127.0.0.1"}
    assert usages(cert) == {ExtendedKeyUsageOID.SERVER_AUTH}
    assert issued_by(paths.apiserver_cert, paths.ca_cert)
    assert cert.not_valid_after_utc - cert.not_valid_before_utc < dt.timedelta(days=370)


def test_admin_client_cert(paths: PkiPaths) -> None:
    cert = load(paths.admin_cert)
    assert (cn(cert), orgs(cert)) == ("kubernetes-admin", ["system:masters"])
    assert usages(cert) == {ExtendedKeyUsageOID.CLIENT_AUTH}
    assert issued_by(paths.admin_cert, paths.ca_cert)


def test_etcd_has_its_own_ca(paths: PkiPaths) -> None:
    assert cn(load(paths.etcd_ca_cert)) == "etcd-ca"
    assert load(paths.etcd_ca_cert).public_key() != load(paths.ca_cert).public_key()
    for member_cert in (paths.etcd_server_cert, paths.etcd_peer_cert):
        cert = load(member_cert)
        assert sans(cert) == ({"localhost"}, {"127.0.0.1"})
        assert usages(cert) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
        assert issued_by(member_cert, paths.etcd_ca_cert)
        assert not issued_by(member_cert, paths.ca_cert)
    client = load(paths.etcd_client_cert)
    assert cn(client) == "kube-apiserver-etcd-client"
    assert usages(client) == {ExtendedKeyUsageOID.CLIENT_AUTH}
    assert issued_by(paths.etcd_client_cert, paths.etcd_ca_cert)
    assert not issued_by(paths.etcd_client_cert, paths.ca_cert)


def test_kubeconfig_embeds_everything(paths: PkiPaths) -> None:
    config = yaml.safe_load(paths.admin_kubeconfig.read_text())
    assert config["current-context"] == "kubernetes-admin@pykube"
    (context,) = config["contexts"]
    assert context == {"name": "kubernetes-admin@pykube", "context": {"cluster": "pykube", "user": "kubernetes-admin"}}
    (cluster,) = config["clusters"]
    assert cluster["name"] == "pykube"
    assert cluster["cluster"]["server"] == pki_module.DEFAULT_SERVER
    assert base64.b64decode(cluster["cluster"]["certificate-authority-data"]) == paths.ca_cert.read_bytes()
    (user,) = config["users"]
    assert user["name"] == "kubernetes-admin"
    assert base64.b64decode(user["user"]["client-certificate-data"]) == paths.admin_cert.read_bytes()
    assert base64.b64decode(user["user"]["client-key-data"]) == paths.admin_key.read_bytes()


def test_second_run_keeps_every_file(tmp_path: Path) -> None:
    ensure_pki(tmp_path, NODE)
    before = snapshot(tmp_path)
    ensure_pki(tmp_path, NODE)
    assert snapshot(tmp_path) == before


def test_missing_file_is_recreated_alone(tmp_path: Path) -> None:
    paths = ensure_pki(tmp_path, NODE)
    before = snapshot(tmp_path)
    paths.admin_key.unlink()
    ensure_pki(tmp_path, NODE)
    after = snapshot(tmp_path)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"admin.crt", "admin.key", "admin.kubeconfig"}
    assert issued_by(paths.admin_cert, paths.ca_cert)


def test_new_ca_reissues_its_leaves_only(tmp_path: Path) -> None:
    paths = ensure_pki(tmp_path, NODE)
    before = snapshot(tmp_path)
    paths.ca_cert.unlink()
    ensure_pki(tmp_path, NODE)
    after = snapshot(tmp_path)
    changed = {name for name in before if before[name] != after[name]}
    assert {"ca.key", "apiserver.crt", "admin.crt", "admin.kubeconfig"} <= changed
    assert not any(name.startswith(("etcd/", "apiserver-etcd", "front-proxy", "sa")) for name in changed)
    assert issued_by(paths.apiserver_cert, paths.ca_cert)
    assert issued_by(paths.admin_cert, paths.ca_cert)


def test_node_name_change_reissues_the_serving_cert(tmp_path: Path) -> None:
    paths = ensure_pki(tmp_path, NODE)
    ensure_pki(tmp_path, "othernode")
    assert "othernode" in sans(load(paths.apiserver_cert))[0]


def test_leaf_close_to_expiry_is_renewed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = ensure_pki(tmp_path, NODE)
    ca, admin = paths.ca_cert.read_bytes(), paths.admin_cert.read_bytes()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=340)
    monkeypatch.setattr(pki_module, "_now", lambda: later)
    ensure_pki(tmp_path, NODE)
    assert paths.ca_cert.read_bytes() == ca
    assert paths.admin_cert.read_bytes() != admin
    assert load(paths.admin_cert).not_valid_after_utc > later + dt.timedelta(days=300)


def test_kubeconfig_server_is_kept_unless_given(tmp_path: Path) -> None:
    paths = ensure_pki(tmp_path, NODE, server="https://10.0.0.1:6443")
    ensure_pki(tmp_path, NODE)
    config = yaml.safe_load(paths.admin_kubeconfig.read_text())
    assert config["clusters"][0]["cluster"]["server"] == "https://10.0.0.1:6443"


def test_issue_client_cert(paths: PkiPaths) -> None:
    pair = issue_client_cert(paths.directory, "alice", "alice", ["dev", "qa"])
    cert = load(pair.cert)
    assert (cn(cert), orgs(cert)) == ("alice", ["dev", "qa"])
    assert usages(cert) == {ExtendedKeyUsageOID.CLIENT_AUTH}
    assert issued_by(pair.cert, paths.ca_cert)
    assert stat.S_IMODE(pair.key.stat().st_mode) == 0o600
    first = pair.cert.read_bytes()
    assert issue_client_cert(paths.directory, "alice", "alice", ["dev", "qa"]).cert.read_bytes() == first


def test_untrusted_client_cert(paths: PkiPaths, tmp_path: Path) -> None:
    pair = issue_untrusted_client_cert(tmp_path, "mallory", "kubernetes-admin", ["system:masters"])
    cert = load(pair.cert)
    assert (cn(cert), orgs(cert)) == ("kubernetes-admin", ["system:masters"])
    assert not issued_by(pair.cert, paths.ca_cert)
    assert not issued_by(pair.cert, paths.etcd_ca_cert)


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert certs_main(["--dir", str(tmp_path), "--node-name", "clinode", "--server", "https://127.0.0.1:7443"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path)
    paths = PkiPaths.under(tmp_path)
    assert "clinode" in sans(load(paths.apiserver_cert))[0]
    assert "https://127.0.0.1:7443" in paths.admin_kubeconfig.read_text()


def test_kubelet_client_cert_is_a_master_of_the_cluster_ca(paths: PkiPaths) -> None:
    cert = load(paths.apiserver_kubelet_client_cert)
    assert (cn(cert), orgs(cert)) == ("kube-apiserver-kubelet-client", ["system:masters"])
    assert usages(cert) == {ExtendedKeyUsageOID.CLIENT_AUTH}
    assert issued_by(paths.apiserver_kubelet_client_cert, paths.ca_cert)


def test_front_proxy_has_its_own_ca(paths: PkiPaths) -> None:
    assert cn(load(paths.front_proxy_ca_cert)) == "front-proxy-ca"
    assert load(paths.front_proxy_ca_cert).public_key() != load(paths.ca_cert).public_key()
    client = load(paths.front_proxy_client_cert)
    assert (cn(client), orgs(client)) == ("front-proxy-client", [])
    assert usages(client) == {ExtendedKeyUsageOID.CLIENT_AUTH}
    assert issued_by(paths.front_proxy_client_cert, paths.front_proxy_ca_cert)
    assert not issued_by(paths.front_proxy_client_cert, paths.ca_cert)


def test_health_check_client_has_no_group(paths: PkiPaths) -> None:
    cert = load(paths.health_check_cert)
    assert (cn(cert), orgs(cert)) == ("system:health-check", [])
    assert usages(cert) == {ExtendedKeyUsageOID.CLIENT_AUTH}
    assert issued_by(paths.health_check_cert, paths.ca_cert)


def public_pem(key_path: Path) -> bytes:
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def test_service_account_key_pairs(paths: PkiPaths) -> None:
    assert paths.sa_pub.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    assert public_pem(paths.sa_key) == paths.sa_pub.read_bytes()
    assert public_pem(paths.sa_previous_key) == paths.sa_previous_pub.read_bytes()
    assert paths.sa_pub.read_bytes() != paths.sa_previous_pub.read_bytes()
    assert paths.service_account_public_keys == (paths.sa_pub, paths.sa_previous_pub)


def test_lost_public_key_is_rederived_from_the_kept_private_key(tmp_path: Path) -> None:
    paths = ensure_pki(tmp_path, NODE)
    key, pub = paths.sa_key.read_bytes(), paths.sa_pub.read_bytes()
    paths.sa_pub.unlink()
    ensure_pki(tmp_path, NODE)
    assert (paths.sa_key.read_bytes(), paths.sa_pub.read_bytes()) == (key, pub)


@pytest.mark.parametrize("name, common_name, groups", [
    ("controller_manager", "system:kube-controller-manager", []),
    ("scheduler", "system:kube-scheduler", []),
    ("node", f"system:node:{NODE}", ["system:nodes"]),
])
def test_component_kubeconfigs(paths: PkiPaths, name: str, common_name: str, groups: list[str]) -> None:
    cert_path = getattr(paths, f"{name}_cert")
    cert = load(cert_path)
    assert (cn(cert), orgs(cert)) == (common_name, groups)
    assert usages(cert) == {ExtendedKeyUsageOID.CLIENT_AUTH}
    assert issued_by(cert_path, paths.ca_cert)
    config = yaml.safe_load(getattr(paths, f"{name}_kubeconfig").read_text())
    (user,) = config["users"]
    assert user["name"] == common_name
    assert base64.b64decode(user["user"]["client-certificate-data"]) == cert_path.read_bytes()
    assert config["current-context"] == f"{common_name}@pykube"


def test_node_name_change_reissues_the_node_identity(tmp_path: Path) -> None:
    paths = ensure_pki(tmp_path, NODE)
    ensure_pki(tmp_path, "othernode")
    assert cn(load(paths.node_cert)) == "system:node:othernode"
    assert "system:node:othernode" in paths.node_kubeconfig.read_text()


def test_every_kubeconfig_follows_a_new_server(tmp_path: Path) -> None:
    paths = ensure_pki(tmp_path, NODE)
    ensure_pki(tmp_path, NODE, server="https://10.0.0.2:6443")
    for kubeconfig in (paths.admin_kubeconfig, paths.controller_manager_kubeconfig, paths.scheduler_kubeconfig,
                       paths.node_kubeconfig):
        assert yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"] == "https://10.0.0.2:6443"


def test_issue_serving_cert(paths: PkiPaths, tmp_path: Path) -> None:
    pair = pki_module.CertKeyPair(tmp_path / "sni.crt", tmp_path / "sni.key")
    ca = pki_module.CertKeyPair(paths.front_proxy_ca_cert, paths.front_proxy_ca_key)
    issue_serving_cert(pair, ca, "foo.example.com", ("foo.example.com", "bar.test"), ("127.0.0.2",))
    cert = load(pair.cert)
    assert cn(cert) == "foo.example.com"
    assert sans(cert) == ({"foo.example.com", "bar.test"}, {"127.0.0.2"})
    assert usages(cert) == {ExtendedKeyUsageOID.SERVER_AUTH}
    assert issued_by(pair.cert, paths.front_proxy_ca_cert)
    first = pair.cert.read_bytes()
    issue_serving_cert(pair, ca, "foo.example.com", ("foo.example.com", "bar.test"), ("127.0.0.2",))
    assert pair.cert.read_bytes() == first
