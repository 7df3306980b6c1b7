"""Generates and maintains every TLS identity of the cluster.

Everything is idempotent: a certificate that is present, matches its key, is signed by the current CA,
still describes the wanted identity and is not about to expire is kept byte for byte.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certs.kubeconfig import read_server, write_atomic, write_kubeconfig

DEFAULT_SERVER = "https://127.0.0.1:6443"
CA_VALIDITY = dt.timedelta(days=3650)
LEAF_VALIDITY = dt.timedelta(days=365)
RENEW_BEFORE = dt.timedelta(days=30)
# Tolerates small clock differences between the machine that issues and the one that verifies.
BACKDATE = dt.timedelta(minutes=5)

SERVER_AUTH = ExtendedKeyUsageOID.SERVER_AUTH
CLIENT_AUTH = ExtendedKeyUsageOID.CLIENT_AUTH


@dataclass(frozen=True)
class CertKeyPair:
    cert: Path
    key: Path


@dataclass(frozen=True)
class PkiPaths:
    directory: Path
    ca_cert: Path
    ca_key: Path
    apiserver_cert: Path
    apiserver_key: Path
    admin_cert: Path
    admin_key: Path
    etcd_ca_cert: Path
    etcd_ca_key: Path
    etcd_server_cert: Path
    etcd_server_key: Path
    etcd_peer_cert: Path
    etcd_peer_key: Path
    etcd_client_cert: Path
    etcd_client_key: Path
    admin_kubeconfig: Path
    apiserver_kubelet_client_cert: Path
    apiserver_kubelet_client_key: Path
    front_proxy_ca_cert: Path
    front_proxy_ca_key: Path
    front_proxy_client_cert: Path
    front_proxy_client_key: Path
    # sa.key signs ServiceAccount tokens; sa-previous stands for the key being rotated out, which still verifies
    sa_key: Path
    sa_pub: Path
    sa_previous_key: Path
    sa_previous_pub: Path
    controller_manager_cert: Path
    controller_manager_key: Path
    controller_manager_kubeconfig: Path
    scheduler_cert: Path
    scheduler_key: Path
    scheduler_kubeconfig: Path
    node_cert: Path
    node_key: Path
    node_kubeconfig: Path
    # the load balancer's identity for its /readyz probes, needed once anonymous requests are refused
    health_check_cert: Path
    health_check_key: Path

    @property
    def service_account_public_keys(self) -> tuple[Path, ...]:
        """Every key that verifies tokens (`--service-account-key-file`, once per key)."""
        return (self.sa_pub, self.sa_previous_pub)

    @classmethod
    def under(cls, directory: Path) -> PkiPaths:
        d = directory
        return cls(
            directory=d,
            ca_cert=d / "ca.crt",
            ca_key=d / "ca.key",
            apiserver_cert=d / "apiserver.crt",
            apiserver_key=d / "apiserver.key",
            admin_cert=d / "admin.crt",
            admin_key=d / "admin.key",
            etcd_ca_cert=d / "etcd" / "ca.crt",
            etcd_ca_key=d / "etcd" / "ca.key",
            etcd_server_cert=d / "etcd" / "server.crt",
            etcd_server_key=d / "etcd" / "server.key",
            etcd_peer_cert=d / "etcd" / "peer.crt",
            etcd_peer_key=d / "etcd" / "peer.key",
            etcd_client_cert=d / "apiserver-etcd-client.crt",
            etcd_client_key=d / "apiserver-etcd-client.key",
            admin_kubeconfig=d / "admin.kubeconfig",
            apiserver_kubelet_client_cert=d / "apiserver-kubelet-client.crt",
            apiserver_kubelet_client_key=d / "apiserver-kubelet-client.key",
            front_proxy_ca_cert=d / "front-proxy-ca.crt",
            front_proxy_ca_key=d / "front-proxy-ca.key",
            front_proxy_client_cert=d / "front-proxy-client.crt",
            front_proxy_client_key=d / "front-proxy-client.key",
            sa_key=d / "sa.key",
            sa_pub=d / "sa.pub",
            sa_previous_key=d / "sa-previous.key",
            sa_previous_pub=d / "sa-previous.pub",
            controller_manager_cert=d / "controller-manager.crt",
            controller_manager_key=d / "controller-manager.key",
            controller_manager_kubeconfig=d / "controller-manager.kubeconfig",
            scheduler_cert=d / "scheduler.crt",
            scheduler_key=d / "scheduler.key",
            scheduler_kubeconfig=d / "scheduler.kubeconfig",
            node_cert=d / "node.crt",
            node_key=d / "node.key",
            node_kubeconfig=d / "node.kubeconfig",
            health_check_cert=d / "health-check-client.crt",
            health_check_key=d / "health-check-client.key",
        )


@dataclass(frozen=True)
class LeafSpec:
    """The identity a leaf certificate must carry; a certificate that differs from it is reissued."""

    common_name: str
    organizations: tuple[str, ...] = ()
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()
    usages: tuple[x509.ObjectIdentifier, ...] = (CLIENT_AUTH,)

    def subject(self) -> x509.Name:
        attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, org) for org in self.organizations]
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, self.common_name))
        return x509.Name(attrs)

    def san(self) -> x509.SubjectAlternativeName | None:
        names: list[x509.GeneralName] = [x509.DNSName(n) for n in self.dns_names]
        names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in self.ip_addresses]
        return x509.SubjectAlternativeName(names) if names else None


@dataclass(frozen=True)
class _Issuer:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey


def apiserver_spec(node_name: str) -> LeafSpec:
    dns = ("kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local",
           "localhost", node_name)
    return LeafSpec("kube-apiserver", dns_names=tuple(dict.fromkeys(dns)), ip_addresses=("127.0.0.1",),
                    usages=(SERVER_AUTH,))


ADMIN_SPEC = LeafSpec("kubernetes-admin", organizations=("system:masters",))
ETCD_MEMBER_SPEC = LeafSpec("etcd", dns_names=("localhost",), ip_addresses=("127.0.0.1",),
                            usages=(SERVER_AUTH, CLIENT_AUTH))
ETCD_CLIENT_SPEC = LeafSpec("kube-apiserver-etcd-client")
# kubeadm makes the apiserver a member of system:masters towards kubelets
KUBELET_CLIENT_SPEC = LeafSpec("kube-apiserver-kubelet-client", organizations=("system:masters",))
FRONT_PROXY_CLIENT_SPEC = LeafSpec("front-proxy-client")
CONTROLLER_MANAGER_SPEC = LeafSpec("system:kube-controller-manager")
SCHEDULER_SPEC = LeafSpec("system:kube-scheduler")
# no group: it may read only what system:public-info-viewer grants every authenticated user
HEALTH_CHECK_SPEC = LeafSpec("system:health-check")


def node_spec(node_name: str) -> LeafSpec:
    return LeafSpec(f"system:node:{node_name}", organizations=("system:nodes",))


@dataclass(frozen=True)
class KubeconfigIdentity:
    """A client certificate of the cluster CA and the kubeconfig file that carries it."""

    pair: CertKeyPair
    kubeconfig: Path
    spec: LeafSpec

    @property
    def user(self) -> str:
        """The kubeconfig's user entry, named as kubeadm names it."""
        return self.spec.common_name


def kubeconfig_identities(paths: PkiPaths, node_name: str) -> tuple[KubeconfigIdentity, ...]:
    return (
        KubeconfigIdentity(CertKeyPair(paths.admin_cert, paths.admin_key), paths.admin_kubeconfig, ADMIN_SPEC),
        KubeconfigIdentity(CertKeyPair(paths.controller_manager_cert, paths.controller_manager_key),
                           paths.controller_manager_kubeconfig, CONTROLLER_MANAGER_SPEC),
        KubeconfigIdentity(CertKeyPair(paths.scheduler_cert, paths.scheduler_key), paths.scheduler_kubeconfig,
                           SCHEDULER_SPEC),
        KubeconfigIdentity(CertKeyPair(paths.node_cert, paths.node_key), paths.node_kubeconfig,
                           node_spec(node_name)),
    )


def ensure_pki(directory: Path, node_name: str, server: str | None = None) -> PkiPaths:
    """Creates whatever is missing or stale under `directory` and returns where everything is.

    `server` goes into the kubeconfig files; None keeps the one admin.kubeconfig names (DEFAULT_SERVER for a
    new file). `node_name` is a DNS name of the serving certificate and the node of node.kubeconfig.
    """
    paths = PkiPaths.under(Path(directory))
    with _locked(paths.directory):
        cluster_ca = _ensure_ca(paths.ca_cert, paths.ca_key, "kubernetes")
        etcd_ca = _ensure_ca(paths.etcd_ca_cert, paths.etcd_ca_key, "etcd-ca")
        front_proxy_ca = _ensure_ca(paths.front_proxy_ca_cert, paths.front_proxy_ca_key, "front-proxy-ca")
        _ensure_leaf(CertKeyPair(paths.apiserver_cert, paths.apiserver_key), cluster_ca, apiserver_spec(node_name))
        _ensure_leaf(CertKeyPair(paths.apiserver_kubelet_client_cert, paths.apiserver_kubelet_client_key),
                     cluster_ca, KUBELET_CLIENT_SPEC)
        _ensure_leaf(CertKeyPair(paths.front_proxy_client_cert, paths.front_proxy_client_key), front_proxy_ca,
                     FRONT_PROXY_CLIENT_SPEC)
        _ensure_leaf(CertKeyPair(paths.health_check_cert, paths.health_check_key), cluster_ca, HEALTH_CHECK_SPEC)
        _ensure_leaf(CertKeyPair(paths.etcd_server_cert, paths.etcd_server_key), etcd_ca, ETCD_MEMBER_SPEC)
        _ensure_leaf(CertKeyPair(paths.etcd_peer_cert, paths.etcd_peer_key), etcd_ca, ETCD_MEMBER_SPEC)
        _ensure_leaf(CertKeyPair(paths.etcd_client_cert, paths.etcd_client_key), etcd_ca, ETCD_CLIENT_SPEC)
        _ensure_key_pair(paths.sa_key, paths.sa_pub)
        _ensure_key_pair(paths.sa_previous_key, paths.sa_previous_pub)
        server = server or read_server(paths.admin_kubeconfig) or DEFAULT_SERVER
        for identity in kubeconfig_identities(paths, node_name):
            _ensure_leaf(identity.pair, cluster_ca, identity.spec)
            write_kubeconfig(identity.kubeconfig, server, paths.ca_cert, identity.pair.cert, identity.pair.key,
                             user=identity.user)
    return paths


def issue_client_cert(pki_dir: Path, name: str, cn: str, orgs: list[str] | tuple[str, ...] = ()) -> CertKeyPair:
    """A client certificate signed by the cluster CA, kept as <pki_dir>/clients/<name>.crt/.key."""
    paths = PkiPaths.under(Path(pki_dir))
    pair = CertKeyPair(paths.directory / "clients" / f"{name}.crt", paths.directory / "clients" / f"{name}.key")
    with _locked(paths.directory):
        ca = _load_issuer(paths.ca_cert, paths.ca_key)
        if ca is None:
            raise FileNotFoundError(f"no cluster CA in {paths.directory}: run ensure_pki first")
        _ensure_leaf(pair, ca, LeafSpec(cn, organizations=tuple(orgs)))
    return pair


def issue_serving_cert(pair: CertKeyPair, ca: CertKeyPair, common_name: str, dns_names: tuple[str, ...] = (),
                       ip_addresses: tuple[str, ...] = ()) -> CertKeyPair:
    """A serving certificate signed by `ca` at `pair`'s paths (extra SNI certificates, a rotated serving pair);
    a current one is kept."""
    issuer = _load_issuer(ca.cert, ca.key)
    if issuer is None:
        raise FileNotFoundError(f"no usable CA at {ca.cert} and {ca.key}")
    with _locked(pair.cert.parent):
        _ensure_leaf(pair, issuer, LeafSpec(common_name, dns_names=dns_names, ip_addresses=ip_addresses,
                                            usages=(SERVER_AUTH,)))
    return pair


def issue_untrusted_client_cert(directory: Path, name: str, cn: str,
                                orgs: list[str] | tuple[str, ...] = ()) -> CertKeyPair:
    """A client certificate from a CA nobody trusts (its own, under `directory`), for negative tests."""
    directory = Path(directory)
    pair = CertKeyPair(directory / f"{name}.crt", directory / f"{name}.key")
    with _locked(directory):
        ca = _ensure_ca(directory / "untrusted-ca.crt", directory / "untrusted-ca.key", "untrusted-ca")
        _ensure_leaf(pair, ca, LeafSpec(cn, organizations=tuple(orgs)))
    return pair


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _ensure_ca(cert_path: Path, key_path: Path, common_name: str) -> _Issuer:
    existing = _load_issuer(cert_path, key_path)
    if existing is not None and _fresh(existing.cert):
        return existing
    key = _new_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        _builder(name, name, key, CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_pair(cert_path, key_path, cert, key)
    return _Issuer(cert, key)


def _ensure_leaf(pair: CertKeyPair, issuer: _Issuer, spec: LeafSpec) -> None:
    if _leaf_is_current(pair, issuer, spec):
        return
    key = _new_key()
    builder = (
        _builder(spec.subject(), issuer.cert.subject, key, LEAF_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage(list(spec.usages)), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    )
    san = spec.san()
    if san is not None:
        builder = builder.add_extension(san, critical=False)
    _write_pair(pair.cert, pair.key, builder.sign(issuer.key, hashes.SHA256()), key)


def _leaf_is_current(pair: CertKeyPair, issuer: _Issuer, spec: LeafSpec) -> bool:
    loaded = _load_issuer(pair.cert, pair.key)
    if loaded is None or not _fresh(loaded.cert):
        return False
    cert = loaded.cert
    try:
        cert.verify_directly_issued_by(issuer.cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return (
        cert.subject == spec.subject()
        and _extension(cert, x509.SubjectAlternativeName) == spec.san()
        and _extension(cert, x509.ExtendedKeyUsage) == x509.ExtendedKeyUsage(list(spec.usages))
    )


def _ensure_key_pair(key_path: Path, pub_path: Path) -> None:
    """An RSA key and its public half (PKIX PEM), as kubeadm's sa.key/sa.pub; a valid key is never replaced."""
    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        key = None
    if not isinstance(key, rsa.RSAPrivateKey):
        key = _new_key()
        write_atomic(key_path, _private_pem(key), mode=0o600)
    pub_pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        current = pub_path.read_bytes()
    except OSError:
        current = b""
    if current != pub_pem:
        write_atomic(pub_path, pub_pem, mode=0o644)


def _extension(cert: x509.Certificate, kind: type[x509.ExtensionType]) -> x509.ExtensionType | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _fresh(cert: x509.Certificate) -> bool:
    return cert.not_valid_after_utc - RENEW_BEFORE > _now()


def _load_issuer(cert_path: Path, key_path: Path) -> _Issuer | None:
    """The certificate and its key, or None when either is missing, unreadable or they do not match."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    if not isinstance(key, rsa.RSAPrivateKey) or _public_der(cert.public_key()) != _public_der(key.public_key()):
        return None
    return _Issuer(cert, key)


def _public_der(public_key: CertificatePublicKeyTypes) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _builder(subject: x509.Name, issuer: x509.Name, key: rsa.RSAPrivateKey,
             validity: dt.timedelta) -> x509.CertificateBuilder:
    now = _now()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + validity)
    )


def _key_usage(ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        # RSA key exchange (TLS 1.2 without ECDHE) needs it on leaves.
        key_encipherment=not ca,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )


def _write_pair(cert_path: Path, key_path: Path, cert: x509.Certificate, key: rsa.RSAPrivateKey) -> None:
    write_atomic(key_path, _private_pem(key), mode=0o600)
    write_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Serialises generators that run at once on the same directory (several replicas starting together)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
