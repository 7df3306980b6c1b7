"""The TLS vocabulary of kube-apiserver's flags: Go's version and cipher suite names and what they are in OpenSSL,
and the `--tls-sni-cert-key` syntax. Checked at start-up, where kube-apiserver checks them."""
from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

TLS_VERSIONS: dict[str, ssl.TLSVersion] = {
    "VersionTLS10": ssl.TLSVersion.TLSv1,
    "VersionTLS11": ssl.TLSVersion.TLSv1_1,
    "VersionTLS12": ssl.TLSVersion.TLSv1_2,
    "VersionTLS13": ssl.TLSVersion.TLSv1_3,
}
# kube accepts these (component-base's flag) although Go calls them insecure; see server/tls.py for how they are served
LEGACY_TLS_VERSIONS = ("VersionTLS10", "VersionTLS11")


@dataclass(frozen=True)
class CipherSuite:
    go_name: str
    openssl_name: str | None   # None: a TLS 1.3 suite, which neither Go nor Python lets a server configure
    insecure: bool = False


# crypto/tls (Go 1.23, kube 1.32's toolchain): CipherSuites() and InsecureCipherSuites(), in Go's server preference
# order, which Go applies whatever order the flag lists them in.
CIPHER_SUITES: tuple[CipherSuite, ...] = (
    CipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"),
    CipherSuite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"),
    CipherSuite("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"),
    CipherSuite("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"),
    CipherSuite("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"),
    CipherSuite("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"),
    CipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"),
    CipherSuite("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"),
    CipherSuite("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"),
    CipherSuite("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"),
    CipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256", insecure=True),
    CipherSuite("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", insecure=True),
    CipherSuite("TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"),
    CipherSuite("TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"),
    CipherSuite("TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"),
    CipherSuite("TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"),
    CipherSuite("TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", insecure=True),
    CipherSuite("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA", insecure=True),
    CipherSuite("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", insecure=True),
    CipherSuite("TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "ECDHE-ECDSA-RC4-SHA", insecure=True),
    CipherSuite("TLS_ECDHE_RSA_WITH_RC4_128_SHA", "ECDHE-RSA-RC4-SHA", insecure=True),
    CipherSuite("TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA", insecure=True),
    CipherSuite("TLS_AES_128_GCM_SHA256", None),
    CipherSuite("TLS_AES_256_GCM_SHA384", None),
    CipherSuite("TLS_CHACHA20_POLY1305_SHA256", None),
)
_BY_NAME = {suite.go_name: suite for suite in CIPHER_SUITES}
# component-base keeps the names Go used before 1.14 for the two CHACHA20 suites
_BY_NAME["TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305"] = _BY_NAME["TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"]
_BY_NAME["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305"] = _BY_NAME["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"]

# Go's defaults when the flag is absent: the secure ECDHE suites (RSA key exchange and 3DES are off by default
# since Go 1.22 and 1.23)
DEFAULT_CIPHER_SUITES: tuple[CipherSuite, ...] = tuple(
    s for s in CIPHER_SUITES if s.openssl_name and not s.insecure and s.go_name.startswith("TLS_ECDHE_"))

# the two suites HTTP/2 (RFC 7540 9.2.2) requires; Go's HTTP/2 server refuses to start without one of them
_HTTP2_REQUIRED = ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")


def cipher_suites(names: tuple[str, ...], min_version: str) -> tuple[CipherSuite, ...]:
    """The suites of `--tls-cipher-suites`, refused as kube-apiserver refuses them: an unknown name, or a TLS 1.2 list
    without a suite HTTP/2 requires (which is what a list of weak suites alone amounts to)."""
    chosen = []
    for name in names:
        suite = _BY_NAME.get(name)
        if suite is None:
            raise ValueError(f"--tls-cipher-suites: Cipher suite {name} not supported or doesn't exist")
        chosen.append(suite)
    if chosen and min_version != "VersionTLS13" and not any(s.go_name in _HTTP2_REQUIRED for s in chosen):
        raise ValueError("--tls-cipher-suites: http2: TLSConfig.CipherSuites is missing an HTTP/2-required "
                         "AES_128_GCM_SHA256 cipher (need at least one of TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 "
                         "or TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)")
    # Go serves in its own preference order, not the flag's
    return tuple(s for s in CIPHER_SUITES if s in chosen)


@dataclass(frozen=True)
class SniCertKey:
    """One `--tls-sni-cert-key`: a certificate and key, served to clients asking for `names` (or, when none are
    given, for the names the certificate carries)."""

    cert_file: Path
    key_file: Path
    names: tuple[str, ...] = ()


def parse_sni_cert_key(text: str) -> SniCertKey:
    """`cert,key` or `cert,key:name1,name2`, with component-base's NamedCertKey errors."""
    paths, sep, names_text = text.partition(":")
    names: tuple[str, ...] = ()
    if sep:
        if not names_text.strip():
            raise ValueError("empty names list is not allowed")
        names = tuple(n.strip() for n in names_text.split(","))
    parts = paths.strip().split(",")
    if len(parts) != 2:
        raise ValueError("expected comma separated certificate and key file paths")
    return SniCertKey(Path(parts[0].strip()), Path(parts[1].strip()), names)
