"""TLS on a real replica: minimum versions, cipher suites, refusals at start-up, SNI certificates and serving
certificates reloaded from disk."""
from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from certs.pki import CertKeyPair, issue_serving_cert
from cluster.replica import ReplicaSpec, free_port
from tests.integration.tls_tools import OPENSSL, openssl_connects
from tests.polling import eventually_sync

ROOT = Path(__file__).resolve().parents[2]


def port_of(replica) -> int:
    return replica.spec.port


def handshake(port: int, ca: Path, *, version: ssl.TLSVersion | None = None, ciphers: str | None = None,
              server_name: str | None = None) -> tuple[str, str, x509.Certificate]:
    """(protocol, cipher, server certificate) of one new connection; ssl.SSLError when the server refuses it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.load_verify_locations(cafile=str(ca))
    if version is not None:
        context.minimum_version = context.maximum_version = version
    if ciphers is not None:
        context.set_ciphers(ciphers)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=server_name) as tls:
            cipher = tls.cipher()
            der = tls.getpeercert(binary_form=True)
            return tls.version(), cipher[0], x509.load_der_x509_certificate(der)


def common_name(cert: x509.Certificate) -> str:
    return cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value


@pytest.mark.skipif(OPENSSL is None, reason="needs the openssl command")
def test_default_refuses_tls11_and_serves_12_and_13(apiserver, pki) -> None:
    assert not openssl_connects(port_of(apiserver), "-tls1_1")
    assert openssl_connects(port_of(apiserver), "-tls1_2")
    assert handshake(port_of(apiserver), pki.ca_cert, version=ssl.TLSVersion.TLSv1_2)[0] == "TLSv1.2"
    assert handshake(port_of(apiserver), pki.ca_cert, version=ssl.TLSVersion.TLSv1_3)[0] == "TLSv1.3"


def test_default_cipher_suites_are_gos(apiserver, pki) -> None:
    port = port_of(apiserver)
    # RSA key exchange is not among Go's defaults
    with pytest.raises(ssl.SSLError):
        handshake(port, pki.ca_cert, version=ssl.TLSVersion.TLSv1_2, ciphers="AES128-GCM-SHA256")
    # the server's preference (AES-128-GCM first) decides, not the client's order
    chosen = handshake(port, pki.ca_cert, version=ssl.TLSVersion.TLSv1_2,
                       ciphers="ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-GCM-SHA256")[1]
    assert chosen == "ECDHE-RSA-AES128-GCM-SHA256"


def test_min_version_13(replica_factory, pki) -> None:
    replica = replica_factory("--tls-min-version=VersionTLS13")
    with pytest.raises(ssl.SSLError):
        handshake(port_of(replica), pki.ca_cert, version=ssl.TLSVersion.TLSv1_2)
    assert handshake(port_of(replica), pki.ca_cert, version=ssl.TLSVersion.TLSv1_3)[0] == "TLSv1.3"


@pytest.mark.skipif(OPENSSL is None, reason="needs the openssl command")
def test_legacy_min_version_and_chosen_cipher_suites(replica_factory, pki) -> None:
    replica = replica_factory("--tls-min-version=VersionTLS11",
                              "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,"
                              "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")
    port = port_of(replica)
    # kube accepts VersionTLS11, and then so does the handshake
    assert openssl_connects(port, "-tls1_1")
    with pytest.raises(ssl.SSLError):
        handshake(port, pki.ca_cert, version=ssl.TLSVersion.TLSv1_2, ciphers="ECDHE-RSA-AES256-GCM-SHA384")
    assert handshake(port, pki.ca_cert, version=ssl.TLSVersion.TLSv1_2,
                     ciphers="ECDHE-RSA-AES128-SHA256")[1] == "ECDHE-RSA-AES128-SHA256"
    log = replica.spec.log_file.read_text()
    assert "Use of insecure cipher 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256' detected." in log
    assert "Use of insecure cipher 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'" not in log


@pytest.mark.parametrize("suites, message", [
    ("TLS_RSA_WITH_RC4_128_SHA,TLS_RSA_WITH_3DES_EDE_CBC_SHA",
     "Error: --tls-cipher-suites: http2: TLSConfig.CipherSuites is missing an HTTP/2-required AES_128_GCM_SHA256 "
     "cipher (need at least one of TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 or TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)"),
    ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,NULL-SHA",
     "Error: --tls-cipher-suites: Cipher suite NULL-SHA not supported or doesn't exist"),
])
def test_weak_cipher_suites_are_refused_at_start_up(pki, tmp_path, suites, message) -> None:
    spec = ReplicaSpec(pki=pki, etcd_servers="https://127.0.0.1:1", port=free_port(), log_file=tmp_path / "log",
                       extra_flags=[f"--tls-cipher-suites={suites}"])
    done = subprocess.run(spec.command(), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [message]


def issue(directory: Path, name: str, ca: CertKeyPair, common: str, dns: tuple[str, ...]) -> CertKeyPair:
    return issue_serving_cert(CertKeyPair(directory / f"{name}.crt", directory / f"{name}.key"), ca, common, dns)


def reissue(pair: CertKeyPair, ca: CertKeyPair, common: str, dns: tuple[str, ...]) -> None:
    """A new key and certificate written in place of the old ones (each file replaced atomically)."""
    staging = pair.cert.parent / "staging"
    staging.mkdir(exist_ok=True)
    fresh = issue(staging, pair.cert.stem, ca, common, dns)
    fresh.key.replace(pair.key)
    fresh.cert.replace(pair.cert)


def until_serial_served(port: int, ca: Path, server_name: str | None, serial: int) -> None:
    """Waits for new connections to be presented the certificate with `serial`: the replica polls its files."""
    eventually_sync(lambda: handshake(port, ca, server_name=server_name)[2].serial_number == serial,
                    interval=0.2, what=f"certificate {serial} served for {server_name}")


def test_sni_selection_and_reload_from_disk(replica_factory, pki, tmp_path) -> None:
    ca = CertKeyPair(pki.ca_cert, pki.ca_key)
    serving = CertKeyPair(tmp_path / "serving.crt", tmp_path / "serving.key")
    shutil.copy(pki.apiserver_cert, serving.cert)
    shutil.copy(pki.apiserver_key, serving.key)
    wildcard = issue(tmp_path, "wildcard", ca, "a.example.com", ("a.example.com",))
    named = issue(tmp_path, "named", ca, "named", ("b.test", "exact.example.com"))
    replica = replica_factory(f"--tls-cert-file={serving.cert}", f"--tls-private-key-file={serving.key}",
                              f"--tls-sni-cert-key={wildcard.cert},{wildcard.key}:*.example.com",
                              f"--tls-sni-cert-key={named.cert},{named.key}")
    port = port_of(replica)

    def served(name: str | None) -> str:
        return common_name(handshake(port, pki.ca_cert, server_name=name)[2])

    assert served("x.example.com") == "a.example.com"       # the listed wildcard
    assert served("a.example.com") == "a.example.com"
    assert served("exact.example.com") == "named"           # an exact name beats a wildcard
    assert served("B.TEST") == "named"                      # names from the certificate, any case
    assert served("other.org") == "kube-apiserver"
    assert served(None) == "kube-apiserver"                 # no SNI (an IP address): the default pair

    reissue(serving, ca, "kube-apiserver-rotated", ("localhost",))
    new_serial = x509.load_pem_x509_certificate(serving.cert.read_bytes()).serial_number
    until_serial_served(port, pki.ca_cert, None, new_serial)
    assert served(None) == "kube-apiserver-rotated"
    assert served("x.example.com") == "a.example.com"

    reissue(wildcard, ca, "a2.example.com", ("a2.example.com",))
    new_serial = x509.load_pem_x509_certificate(wildcard.cert.read_bytes()).serial_number
    until_serial_served(port, pki.ca_cert, "x.example.com", new_serial)
    assert "loaded a new certificate/key pair" in replica.spec.log_file.read_text()


def test_broken_rewrite_keeps_the_last_good_pair(replica_factory, pki, tmp_path) -> None:
    serving = CertKeyPair(tmp_path / "serving.crt", tmp_path / "serving.key")
    shutil.copy(pki.apiserver_cert, serving.cert)
    shutil.copy(pki.apiserver_key, serving.key)
    replica = replica_factory(f"--tls-cert-file={serving.cert}", f"--tls-private-key-file={serving.key}")
    before = handshake(port_of(replica), pki.ca_cert)[2].serial_number
    serving.cert.write_bytes(pki.admin_cert.read_bytes())   # no longer matches the key
    eventually_sync(lambda: "still serving the previous pair" in replica.spec.log_file.read_text(), interval=0.2,
                    what="the broken pair noticed")
    assert handshake(port_of(replica), pki.ca_cert)[2].serial_number == before


def client_handshake(port: int, pki, client: CertKeyPair) -> bool:
    """Whether a TLS 1.2 handshake with this client certificate completes (1.2: the verdict is in the handshake)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.load_verify_locations(cafile=str(pki.ca_cert))
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(client.cert), str(client.key))
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            with context.wrap_socket(raw):
                return True
    except (ssl.SSLError, ConnectionResetError):
        return False


def test_client_ca_reload(replica_factory, pki, tmp_path) -> None:
    client_ca = tmp_path / "client-ca.crt"
    shutil.copy(pki.ca_cert, client_ca)
    replica = replica_factory(f"--client-ca-file={client_ca}")
    port = port_of(replica)
    admin = CertKeyPair(pki.admin_cert, pki.admin_key)
    front_proxy = CertKeyPair(pki.front_proxy_client_cert, pki.front_proxy_client_key)
    assert client_handshake(port, pki, admin)
    assert not client_handshake(port, pki, front_proxy)
    staged = tmp_path / "staged.crt"
    shutil.copy(pki.front_proxy_ca_cert, staged)
    staged.replace(client_ca)
    eventually_sync(lambda: not client_handshake(port, pki, admin), interval=0.2, what="the new client CA picked up")
    assert client_handshake(port, pki, front_proxy)
