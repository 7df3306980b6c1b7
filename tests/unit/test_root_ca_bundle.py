"""Which CA the kube-root-ca.crt publisher finds for the serving certificate, and the ServiceAccount plugin's
pure rules (automount choice, mountable secrets, the token volume's mounts)."""
from __future__ import annotations

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from apiserver.admission.plugins.serviceaccount import mount_token, parse_bool, should_automount
from apiserver.controllers.rootcapublisher import RootCAFiles, issuing_chain, root_ca_bundle

Pair = tuple[x509.Certificate, ec.EllipticCurvePrivateKey]


def cert(name: str, issuer: Pair | None = None, ca: bool = True) -> Pair:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    signer_name, signer_key = (issuer[0].subject, issuer[1]) if issuer else (subject, key)
    built = (x509.CertificateBuilder().subject_name(subject).issuer_name(signer_name).public_key(key.public_key())
             .serial_number(x509.random_serial_number()).not_valid_before(now)
             .not_valid_after(now + datetime.timedelta(days=1))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
             .sign(signer_key, hashes.SHA256()))
    return built, key


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def test_the_client_ca_that_signed_the_serving_certificate_is_published(tmp_path: Path):
    root, other = cert("root"), cert("unrelated")
    leaf = cert("apiserver", root, ca=False)
    (tmp_path / "serving.crt").write_bytes(pem(leaf[0]))
    (tmp_path / "ca.crt").write_bytes(pem(other[0], root[0]))
    assert root_ca_bundle(RootCAFiles(tmp_path / "serving.crt", tmp_path / "ca.crt")) == pem(root[0]).decode()


def test_a_chain_bundled_with_the_serving_certificate_is_followed_to_its_root():
    root = cert("root")
    intermediate = cert("intermediate", root)
    leaf = cert("apiserver", intermediate, ca=False)
    assert issuing_chain([leaf[0], intermediate[0]], [root[0]]) == [intermediate[0], root[0]]


def test_a_self_signed_serving_certificate_verifies_itself_and_an_unknown_issuer_gives_nothing():
    alone = cert("apiserver")
    assert issuing_chain([alone[0]], []) == [alone[0]]
    # same subject as the real issuer, another key: not the issuer
    impostor, real = cert("root"), cert("root")
    assert issuing_chain([cert("apiserver", real, ca=False)[0]], [impostor[0]]) == []


def test_automount_is_the_pods_choice_then_the_accounts_then_yes():
    assert should_automount({}, {}) is True
    assert should_automount({"automountServiceAccountToken": False}, {}) is False
    assert should_automount({"automountServiceAccountToken": False}, {"automountServiceAccountToken": True}) is True
    assert [parse_bool(t) for t in ("true", "True", "1", "t", "yes", "")] == [True, True, True, True, False, False]


def test_the_token_volume_is_added_once_and_only_where_a_container_needs_it():
    spec: dict = {"containers": [{"name": "a", "volumeMounts": [
        {"name": "x", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}]}
    mount_token(spec)
    assert "volumes" not in spec
    spec["containers"].append({"name": "b"})
    mount_token(spec)
    (volume,) = spec["volumes"]
    assert spec["containers"][1]["volumeMounts"] == [
        {"name": volume["name"], "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]
