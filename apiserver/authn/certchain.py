"""Checking a client certificate against one authentication method's CA bundle.

The TLS layer accepts a client certificate signed by any CA the server trusts for clients (--client-ca-file
and --requestheader-client-ca-file); each method then checks the certificate against its own bundle, so that
a front-proxy certificate never passes as a user and a user's certificate never passes as a proxy. Python's
ssl module hands over only the leaf, so the leaf must be issued directly by a CA of the bundle."""
from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path

from aiohttp import web
from cryptography import x509
from cryptography.exceptions import InvalidSignature

from apiserver.authn.user import AuthenticationFailed
from apiserver.options.flags import ConfigError


def load_bundle(path: Path, flag: str) -> tuple[x509.Certificate, ...]:
    """The CA certificates of `flag`'s file; an unreadable or malformed file is a one-line start-up error."""
    try:
        return tuple(x509.load_pem_x509_certificates(Path(path).read_bytes()))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{flag}: cannot load {path}: {exc}") from None


def peer_certificate(request: web.Request) -> x509.Certificate | None:
    transport = request.transport
    ssl_object: ssl.SSLObject | None = transport.get_extra_info("ssl_object") if transport else None
    der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
    return x509.load_der_x509_certificate(der) if der else None


def verify_issued_by(cert: x509.Certificate, bundle: tuple[x509.Certificate, ...]) -> str | None:
    """None when `cert` is current and signed by a CA of `bundle`; otherwise why not."""
    now = dt.datetime.now(dt.timezone.utc)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        return "x509: certificate has expired or is not yet valid"
    for ca in bundle:
        try:
            cert.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return None
    return "x509: certificate signed by unknown authority"


def common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def verified_peer(request: web.Request, bundle: tuple[x509.Certificate, ...]) -> x509.Certificate | None:
    """The request's client certificate if it has one (None otherwise), refused unless `bundle` signed it."""
    cert = peer_certificate(request)
    if cert is None:
        return None
    problem = verify_issued_by(cert, bundle)
    if problem:
        raise AuthenticationFailed(f"verifying certificate {cert.subject.rfc4514_string()} failed: {problem}")
    return cert
