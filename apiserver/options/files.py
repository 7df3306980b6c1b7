"""The files flags name: whether they open (checked with the flags) and what their PEM holds (read by the start-up
loading step). Every failure is a ConfigError that names the flag."""
from __future__ import annotations

import ssl
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes

from apiserver.options.errors import ConfigError


def readable(flag: str, path: Path | None) -> None:
    if path is not None:
        read_bytes(flag, path)


def read_bytes(flag: str, path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{flag}: cannot read {path}: {exc.strerror}") from None


def certificates(flag: str, path: Path) -> tuple[x509.Certificate, ...]:
    """Every certificate of a PEM file (a CA bundle, or a certificate and its chain); at least one."""
    data = read_bytes(flag, path)
    try:
        return tuple(x509.load_pem_x509_certificates(data))
    except ValueError as exc:
        raise ConfigError(f"{flag}: cannot load {path}: {exc}") from None


def private_key(flag: str, path: Path) -> PrivateKeyTypes:
    data = read_bytes(flag, path)
    try:
        return serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        # TypeError: an encrypted key, which nothing here could decrypt
        raise ConfigError(f"{flag}: cannot load {path}: {exc}") from None


def _spki(key: PublicKeyTypes) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def check_key_pair(cert_flag: str, cert: Path, key_flag: str, key: Path) -> None:
    """A certificate file (the leaf first) and its private key, each PEM, the key the certificate's."""
    leaf = certificates(cert_flag, cert)[0]
    if _spki(leaf.public_key()) != _spki(private_key(key_flag, key).public_key()):
        flags = cert_flag if cert_flag == key_flag else f"{cert_flag}/{key_flag}"
        # Go's tls.X509KeyPair wording, as kube reports it
        raise ConfigError(f"{flags}: cannot load {cert} and {key}: tls: private key does not match public key")


def ca_context(flag: str, path: Path) -> ssl.SSLContext:
    """A client context trusting the CA bundle of `path` (instead of the system's)."""
    pem = "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certificates(flag, path))
    try:
        return ssl.create_default_context(cadata=pem)
    except ssl.SSLError as exc:
        raise ConfigError(f"{flag}: cannot load {path}: {exc.reason or exc}") from None
