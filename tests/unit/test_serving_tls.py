"""The TLS settings and SNI name rules of server/tls.py, on certificates made here."""
from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509

from apiserver.options.flags import parse_flags
from apiserver.server.tls import ServingTLS, TlsSettings, certificate_names
from certs.pki import CertKeyPair, PkiPaths, ensure_pki, issue_serving_cert


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiPaths:
    return ensure_pki(tmp_path_factory.mktemp("pki"), "testnode")


def serving(pki: PkiPaths, directory: Path, name: str, common: str, dns: tuple[str, ...] = (),
            ips: tuple[str, ...] = ()) -> CertKeyPair:
    return issue_serving_cert(CertKeyPair(directory / f"{name}.crt", directory / f"{name}.key"),
                              CertKeyPair(pki.ca_cert, pki.ca_key), common, dns, ips)


def config(pki: PkiPaths, *extra: str):
    return parse_flags(["--etcd-servers=https://127.0.0.1:2379", f"--tls-cert-file={pki.apiserver_cert}",
                        f"--tls-private-key-file={pki.apiserver_key}", f"--client-ca-file={pki.ca_cert}", *extra])


def test_names_taken_from_a_certificate(pki, tmp_path) -> None:
    pair = serving(pki, tmp_path, "a", "web.example.com", ("b.test",), ("127.0.0.9",))
    assert certificate_names(x509.load_pem_x509_certificate(pair.cert.read_bytes())) == \
        ["web.example.com", "b.test", "127.0.0.9"]
    # a common name that is an IP address or not a lower-case DNS name is not a name to serve
    for common in ("10.0.0.1", "kube apiserver", "Web.Example.com"):
        pair = serving(pki, tmp_path, common.replace(" ", "_"), common)
        assert certificate_names(x509.load_pem_x509_certificate(pair.cert.read_bytes())) == []


def test_precedence_of_sni_names(pki, tmp_path) -> None:
    first = serving(pki, tmp_path, "first", "first", ("shared.test", "listed.test"))
    second = serving(pki, tmp_path, "second", "second", ("shared.test",))
    third = serving(pki, tmp_path, "third", "third", ("x.wild.test",))
    tls = ServingTLS(config(pki, f"--tls-sni-cert-key={first.cert},{first.key}",
                            f"--tls-sni-cert-key={second.cert},{second.key}",
                            f"--tls-sni-cert-key={third.cert},{third.key}:listed.test,*.wild.test"))
    assert tls.lookup("shared.test").cert_file == first.cert        # the earlier flag wins
    assert tls.lookup("listed.test").cert_file == third.cert        # a listed name beats an extracted one
    assert tls.lookup("y.wild.test").cert_file == third.cert
    assert tls.lookup("y.z.wild.test").cert_file == pki.apiserver_cert   # a wildcard covers one label only
    assert tls.lookup(None).cert_file == pki.apiserver_cert


def test_tls13_only_ignores_suites_this_openssl_lacks(pki) -> None:
    settings = TlsSettings.from_config(config(pki, "--tls-min-version=VersionTLS13",
                                              "--tls-cipher-suites=TLS_RSA_WITH_RC4_128_SHA"))
    assert settings.openssl_ciphers == ""
    assert settings.context(pki.apiserver_cert, pki.apiserver_key) is not None


def test_insecure_suites_are_logged(pki, caplog) -> None:
    settings = TlsSettings.from_config(config(pki, "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"
                                                   "TLS_RSA_WITH_AES_128_CBC_SHA256"))
    assert settings.openssl_ciphers == "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA256"
    assert "Use of insecure cipher 'TLS_RSA_WITH_AES_128_CBC_SHA256' detected." in caplog.text
