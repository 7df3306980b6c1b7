"""x509 client certificates signed by --client-ca-file: the subject's CN is the user name and each O is a
group. The chain is checked here too, since the TLS layer also accepts front-proxy certificates."""
from __future__ import annotations

from aiohttp import web
from cryptography import x509

from apiserver.authn.certchain import PeerVerifier
from apiserver.request.user import UserInfo


class X509Authenticator:
    def __init__(self, bundle: tuple[x509.Certificate, ...]) -> None:
        self.verifier = PeerVerifier(bundle)

    async def authenticate(self, request: web.Request) -> UserInfo | None:
        peer = self.verifier.verified_peer(request)
        if peer is None or not peer.common_name:
            return None
        return UserInfo(name=peer.common_name, groups=peer.organizations)
