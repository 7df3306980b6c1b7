"""TLS on the secure port, as kube-apiserver's dynamic serving certificate controller does it: the minimum version
and cipher suites of the flags, SNI certificates chosen by the name the client asks for, and certificate files
(serving, SNI, client CA) re-read when they change on disk, so that the next handshake uses the new ones."""
from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import re
import ssl
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID

from apiserver.options.flags import ServerConfig
from apiserver.options.tls import (
    DEFAULT_CIPHER_SUITES,
    LEGACY_TLS_VERSIONS,
    TLS_VERSIONS,
    cipher_suites,
)

log = logging.getLogger("apiserver.tls")

# kube watches the files and re-checks them every minute; a one-second poll of their metadata is as prompt as the
# file watcher and cheap
RELOAD_INTERVAL = 1.0
_DNS_NAME = re.compile(r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def client_ca_files(config: ServerConfig) -> tuple[Path, ...]:
    authn = config.authentication
    cas = (authn.client_ca_file, authn.requestheader.client_ca_file if authn.requestheader else None)
    return tuple(Path(ca) for ca in cas if ca)


@dataclass(frozen=True)
class TlsSettings:
    """What every context of the server shares, whichever certificate it presents."""

    min_version: str
    openssl_ciphers: str
    # every CA a client certificate may chain to: --client-ca-file and --requestheader-client-ca-file; each
    # authenticator then checks that its own CA signed the certificate
    client_ca_files: tuple[Path, ...]

    @classmethod
    def from_config(cls, config: ServerConfig) -> TlsSettings:
        serving = config.serving
        suites = cipher_suites(serving.tls_cipher_suites, serving.tls_min_version) or DEFAULT_CIPHER_SUITES
        for suite in suites:
            if suite.insecure:
                log.warning("Use of insecure cipher '%s' detected.", suite.go_name)
        # TLS 1.3 suites are not configurable and the listed TLS 1.2 ones are never used (they may all be ones this
        # OpenSSL lacks, such as RC4)
        names = "" if serving.tls_min_version == "VersionTLS13" else ":".join(
            s.openssl_name for s in suites if s.openssl_name)
        if serving.tls_min_version in LEGACY_TLS_VERSIONS:
            # OpenSSL 3 refuses TLS 1.0/1.1 above security level 0; the operator asked for them, as kube allows
            log.warning("--tls-min-version=%s allows TLS versions with known weaknesses", serving.tls_min_version)
            names += ":@SECLEVEL=0"
        return cls(serving.tls_min_version, names, client_ca_files(config))

    def context(self, cert_file: Path, key_file: Path) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with warnings.catch_warnings():
            # Python deprecates the TLS 1.0/1.1 constants; the flag still names them
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = TLS_VERSIONS[self.min_version]
        if self.openssl_ciphers:
            context.set_ciphers(self.openssl_ciphers)
        # Go picks by its own preference order, not the client's
        context.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
        context.load_cert_chain(str(cert_file), str(key_file))
        for ca_file in self.client_ca_files:
            # a client certificate is optional (tokens and anonymous exist); when one is sent it must verify
            context.verify_mode = ssl.CERT_OPTIONAL
            context.load_verify_locations(cafile=str(ca_file))
        context.set_alpn_protocols(["http/1.1"])
        return context


def _stamp(paths: tuple[Path, ...]) -> tuple[tuple[int, int, int], ...]:
    stamps = []
    for path in paths:
        try:
            st = os.stat(path)
            stamps.append((st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            stamps.append((0, 0, 0))
    return tuple(stamps)


class CertKeyFiles:
    """One certificate/key pair on disk and the context that presents it, rebuilt when a file it reads changes.
    A pair that fails to load (half written, mismatched) leaves the last good one in service, as in kube."""

    def __init__(self, name: str, cert_file: Path, key_file: Path, build: Callable[[Path, Path], ssl.SSLContext],
                 watched: tuple[Path, ...]) -> None:
        self.name, self.cert_file, self.key_file = name, cert_file, key_file
        self._build = build
        self._watched = (cert_file, key_file, *watched)
        self._stamp = _stamp(self._watched)
        self.context = build(cert_file, key_file)
        self.certificate = x509.load_pem_x509_certificate(cert_file.read_bytes())

    def refresh(self) -> bool:
        """Reloads after a change on disk; true when a new pair is in service."""
        stamp = _stamp(self._watched)
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        try:
            context = self._build(self.cert_file, self.key_file)
            certificate = x509.load_pem_x509_certificate(self.cert_file.read_bytes())
        except (OSError, ValueError, ssl.SSLError) as exc:
            log.error("%s: cannot load %s and %s, still serving the previous pair: %s", self.name, self.cert_file,
                      self.key_file, exc)
            return False
        self.context, self.certificate = context, certificate
        log.info("%s: loaded a new certificate/key pair from %s and %s", self.name, self.cert_file, self.key_file)
        return True


def certificate_names(cert: x509.Certificate) -> list[str]:
    """The names an SNI certificate answers for when the flag lists none: a DNS-like common name, DNS and IP SANs."""
    names = []
    common = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    # kube's rule: a common name counts when it is a lower-case DNS subdomain (a wildcard allowed), not an IP
    if common and isinstance(common[0], str) and not _is_ip(common[0]) and (
            common[0] == "*" or _DNS_NAME.match(common[0])):
        names.append(common[0])
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return names
    names += san.get_values_for_type(x509.DNSName)
    names += [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    return names


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class ServingTLS:
    """The listener's context; each handshake is handed the current context of the certificate it should see."""

    def __init__(self, config: ServerConfig) -> None:
        self.settings = TlsSettings.from_config(config)
        watched = client_ca_files(config)
        serving = config.serving
        self.default = CertKeyFiles("serving-cert", serving.tls_cert_file, serving.tls_private_key_file,
                                    self.settings.context, watched)
        self.sni = [(CertKeyFiles("sni-serving-cert", s.cert_file, s.key_file, self.settings.context, watched), s)
                    for s in serving.tls_sni_cert_keys]
        self._by_name = self._name_map()
        self.context = self.settings.context(serving.tls_cert_file, serving.tls_private_key_file)
        self.context.sni_callback = self._select

    def _name_map(self) -> dict[str, CertKeyFiles]:
        """kube's precedence: earlier flags win over later ones, and names given in the flag over extracted ones."""
        explicit: dict[str, CertKeyFiles] = {}
        extracted: dict[str, CertKeyFiles] = {}
        for files, spec in reversed(self.sni):
            target = explicit if spec.names else extracted
            for name in spec.names or tuple(certificate_names(files.certificate)):
                target[name.lower()] = files
        return {**extracted, **explicit}

    def lookup(self, server_name: str | None) -> CertKeyFiles:
        """Exact name, then the wildcard of its first label, then the default serving certificate."""
        if server_name:
            name = server_name.lower()
            found = self._by_name.get(name)
            if found is None and "." in name:
                found = self._by_name.get("*." + name.split(".", 1)[1])
            if found is not None:
                return found
        return self.default

    def _select(self, connection: ssl.SSLObject, server_name: str | None, _: ssl.SSLContext) -> None:
        connection.context = self.lookup(server_name).context

    def refresh(self) -> None:
        self.default.refresh()
        if any([files.refresh() for files, _spec in self.sni]):
            # an SNI certificate without listed names may now carry others
            self._by_name = self._name_map()

    async def watch(self) -> None:
        """Runs until cancelled: picks up rewritten certificate files."""
        while True:
            await asyncio.sleep(RELOAD_INTERVAL)
            self.refresh()
