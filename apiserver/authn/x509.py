"""x509 client certificates signed by --client-ca-file: the subject's CN is the user name and each O is a
group. The chain is checked here too, since the TLS layer also accepts front-proxy certificates."""
from __future__ import annotations

from aiohttp import web
from cryptography import x509

from apiserver.authn.certchain import common_name, verified_peer
from apiserver.authn.user import UserInfo


class X509Authenticator:
    def __init__(self, bundle: tuple[x509.Certificate, ...]) -> None:
        self.bundle = bundle

    async def authenticate(self, request: web.Request) -> UserInfo | None:
        cert = verified_peer(request, self.bundle)
        if cert is None:
            return None
        name = common_name(cert)
        if not name:
            return None
        orgs = cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
        return UserInfo(name=name, groups=tuple(str(o.value) for o in orgs))
