"""x509 client certificates: the TLS layer has verified the chain against --client-ca-file;
the subject's CN is the user name and each O is a group."""
from __future__ import annotations

from aiohttp import web

from apiserver.authn.user import UserInfo


class X509Authenticator:
    async def authenticate(self, request: web.Request) -> UserInfo | None:
        transport = request.transport
        cert = transport.get_extra_info("peercert") if transport else None
        if not cert:
            return None
        common_name, orgs = "", []
        for rdn in cert.get("subject", ()):
            for attr, value in rdn:
                if attr == "commonName":
                    common_name = value
                elif attr == "organizationName":
                    orgs.append(value)
        if not common_name:
            return None
        return UserInfo(name=common_name, groups=tuple(orgs))
