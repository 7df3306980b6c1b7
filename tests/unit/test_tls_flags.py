"""The TLS flags: Go's version and cipher suite names, kube-apiserver's refusals, --tls-sni-cert-key's syntax,
and the client identity flags that are file pairs."""
from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from apiserver.options.errors import ConfigError
from apiserver.options.flags import parse_flags
from apiserver.options.tls import (
    DEFAULT_CIPHER_SUITES,
    SniCertKey,
    cipher_suites,
    parse_sni_cert_key,
)


@pytest.fixture
def base(tmp_path: Path) -> list[str]:
    for name in ("cert", "key", "kc", "kk", "pc", "pk"):
        (tmp_path / name).write_text(name)
    return ["--etcd-servers=https://127.0.0.1:2379", f"--tls-cert-file={tmp_path / 'cert'}",
            f"--tls-private-key-file={tmp_path / 'key'}"]


@pytest.mark.parametrize("version", ["VersionTLS10", "VersionTLS11", "VersionTLS12", "VersionTLS13"])
def test_every_version_kube_accepts(base, version):
    assert parse_flags([*base, f"--tls-min-version={version}"]).serving.tls_min_version == version


def test_cipher_suites_are_kept_as_given(base):
    config = parse_flags([*base, "--tls-cipher-suites=TLS_RSA_WITH_AES_128_GCM_SHA256, "
                                 "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"])
    assert config.serving.tls_cipher_suites == ("TLS_RSA_WITH_AES_128_GCM_SHA256",
                                                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")


def test_cipher_suites_are_served_in_go_preference_order():
    suites = cipher_suites(("TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
                            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), "VersionTLS12")
    assert [s.openssl_name for s in suites] == ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-SHA",
                                                "AES128-GCM-SHA256"]


def test_legacy_chacha_names_are_accepted():
    (suite,) = [s for s in cipher_suites(("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
                                          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), "VersionTLS12")
                if "CHACHA" in s.go_name]
    assert suite.go_name == "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"


def test_defaults_are_gos_secure_ecdhe_suites():
    assert all(s.go_name.startswith("TLS_ECDHE_") and not s.insecure for s in DEFAULT_CIPHER_SUITES)
    assert "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" in {s.go_name for s in DEFAULT_CIPHER_SUITES}
    available = {c["name"] for c in ssl.create_default_context().get_ciphers()}
    # every default this host's OpenSSL can serve is there under its OpenSSL name
    assert {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384"} <= \
        {s.openssl_name for s in DEFAULT_CIPHER_SUITES} & available


HTTP2 = ("--tls-cipher-suites: http2: TLSConfig.CipherSuites is missing an HTTP/2-required AES_128_GCM_SHA256 "
         "cipher (need at least one of TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 or "
         "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)")


@pytest.mark.parametrize("extra, message", [
    (["--tls-cipher-suites=TLS_RSA_WITH_RC4_128_SHA"], HTTP2),
    (["--tls-cipher-suites=TLS_RSA_WITH_3DES_EDE_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"], HTTP2),
    (["--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"], HTTP2),
    (["--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,RC4-SHA"],
     "--tls-cipher-suites: Cipher suite RC4-SHA not supported or doesn't exist"),
    (["--tls-sni-cert-key=a.crt"], "argument --tls-sni-cert-key: expected comma separated certificate and key file "
                                   "paths"),
    (["--tls-sni-cert-key=a.crt,a.key:"], "argument --tls-sni-cert-key: empty names list is not allowed"),
    (["--tls-sni-cert-key=/nonexistent.crt,/nonexistent.key"],
     "--tls-sni-cert-key: cannot read /nonexistent.crt: No such file or directory"),
])
def test_refused_at_start_up(base, extra, message):
    with pytest.raises(ConfigError) as caught:
        parse_flags([*base, *extra])
    assert str(caught.value) == message


def test_weak_suites_alone_are_fine_when_only_tls13_is_served(base):
    config = parse_flags([*base, "--tls-min-version=VersionTLS13", "--tls-cipher-suites=TLS_RSA_WITH_RC4_128_SHA"])
    assert config.serving.tls_cipher_suites == ("TLS_RSA_WITH_RC4_128_SHA",)


def test_weak_suite_next_to_a_required_one_is_accepted(base):
    # kube-apiserver only logs a warning for these (server/tls.py does the same)
    config = parse_flags([*base, "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"
                                 "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"])
    assert [s.insecure for s in cipher_suites(config.serving.tls_cipher_suites, "VersionTLS12")] == [False, True]


@pytest.mark.parametrize("text, parsed", [
    ("a.crt,a.key", SniCertKey(Path("a.crt"), Path("a.key"))),
    (" a.crt , a.key ", SniCertKey(Path("a.crt"), Path("a.key"))),
    ("a.crt,a.key:*.example.com, foo.example.com", SniCertKey(Path("a.crt"), Path("a.key"),
                                                              ("*.example.com", "foo.example.com"))),
])
def test_sni_cert_key_syntax(text, parsed):
    assert parse_sni_cert_key(text) == parsed


def test_sni_cert_key_may_repeat(base, tmp_path):
    config = parse_flags([*base, f"--tls-sni-cert-key={tmp_path / 'kc'},{tmp_path / 'kk'}",
                          f"--tls-sni-cert-key={tmp_path / 'pc'},{tmp_path / 'pk'}:foo.test"])
    assert config.serving.tls_sni_cert_keys == (SniCertKey(tmp_path / "kc", tmp_path / "kk"),
                                        SniCertKey(tmp_path / "pc", tmp_path / "pk", ("foo.test",)))


def test_client_identity_pairs(base, tmp_path):
    config = parse_flags([*base, f"--kubelet-client-certificate={tmp_path / 'kc'}",
                          f"--kubelet-client-key={tmp_path / 'kk'}", f"--proxy-client-cert-file={tmp_path / 'pc'}",
                          f"--proxy-client-key-file={tmp_path / 'pk'}"])
    serving = config.serving
    assert (serving.kubelet_client_certificate, serving.kubelet_client_key) == (tmp_path / "kc", tmp_path / "kk")
    assert (serving.proxy_client_cert_file, serving.proxy_client_key_file) == (tmp_path / "pc", tmp_path / "pk")


@pytest.mark.parametrize("flag, message", [
    ("--kubelet-client-key", "--kubelet-client-certificate and --kubelet-client-key must be given together"),
    ("--proxy-client-cert-file", "--proxy-client-cert-file and --proxy-client-key-file must be given together"),
])
def test_client_identity_halves_are_refused(base, tmp_path, flag, message):
    with pytest.raises(ConfigError) as caught:
        parse_flags([*base, f"{flag}={tmp_path / 'kc'}"])
    assert str(caught.value) == message


def test_unreadable_client_identity_file(base, tmp_path):
    with pytest.raises(ConfigError) as caught:
        parse_flags([*base, f"--proxy-client-cert-file={tmp_path / 'none'}",
                     f"--proxy-client-key-file={tmp_path / 'pk'}"])
    assert str(caught.value) == f"--proxy-client-cert-file: cannot read {tmp_path / 'none'}: No such file or directory"
