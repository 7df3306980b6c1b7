"""Checking a client certificate against one authentication method's CA bundle.

The TLS layer accepts a client certificate signed by any CA the server trusts for clients (--client-ca-file
and --requestheader-client-ca-file); each method then checks the certificate against its own bundle, so that
a front-proxy certificate never passes as a user and a user's certificate never passes as a proxy. Python's
ssl module hands over only the leaf, so the leaf must be issued directly by a CA of the bundle."""
from __future__ import annotations

import datetime as dt
import ssl
from dataclasses import dataclass

from aiohttp import web
from cryptography import x509
from cryptography.exceptions import InvalidSignature

from apiserver.authn.user import AuthenticationFailed

# distinct client certificates remembered per bundle; past this the memory starts over (a bound, not an LRU:
# a cluster has a handful of client identities, so the limit is only hit by a flood of throwaway certificates)
SEEN_LIMIT = 1024


@dataclass(frozen=True)
class PeerCertificate:
    cert: x509.Certificate
    common_name: str
    organizations: tuple[str, ...]
    not_before: dt.datetime
    not_after: dt.datetime
    # why the bundle did not sign it, None when it did
    untrusted: str | None


def peer_der(request: web.Request) -> bytes | None:
    transport = request.transport
    ssl_object: ssl.SSLObject | None = transport.get_extra_info("ssl_object") if transport else None
    return ssl_object.getpeercert(binary_form=True) if ssl_object else None


EXPIRED = "x509: certificate has expired or is not yet valid"


def _unsigned(cert: x509.Certificate, bundle: tuple[x509.Certificate, ...]) -> str | None:
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


class PeerVerifier:
    """Checks requests' client certificates against one bundle. A connection presents the same certificate on
    every request, and checking its signature costs more than all the rest of authentication, so each distinct
    certificate is parsed and checked once; only its validity window is compared per request."""

    def __init__(self, bundle: tuple[x509.Certificate, ...]) -> None:
        self.bundle = bundle
        self._seen: dict[bytes, PeerCertificate] = {}

    def _inspect(self, der: bytes) -> PeerCertificate:
        cert = x509.load_der_x509_certificate(der)
        orgs = cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
        return PeerCertificate(cert, common_name(cert), tuple(str(o.value) for o in orgs),
                               cert.not_valid_before_utc, cert.not_valid_after_utc, _unsigned(cert, self.bundle))

    def verified_peer(self, request: web.Request) -> PeerCertificate | None:
        """The request's client certificate if it has one (None otherwise), refused unless the bundle signed it
        and it is current."""
        der = peer_der(request)
        if not der:
            return None
        peer = self._seen.get(der)
        if peer is None:
            if len(self._seen) >= SEEN_LIMIT:
                self._seen.clear()
            peer = self._seen[der] = self._inspect(der)
        now = dt.datetime.now(dt.UTC)
        problem = EXPIRED if not peer.not_before <= now <= peer.not_after else peer.untrusted
        if problem:
            raise AuthenticationFailed(f"verifying certificate {peer.cert.subject.rfc4514_string()} failed: "
                                       f"{problem}")
        return peer
