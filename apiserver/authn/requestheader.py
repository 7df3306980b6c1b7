"""Front-proxy authentication (--requestheader-*): a proxy whose client certificate is signed by the
requestheader CA (and, when --requestheader-allowed-names is set, whose CN is listed) says who the user is
in headers: the first non-empty username header, every value of the group headers, and extras from headers
named with an extra prefix (the rest of the name, lower-cased and %-unescaped, is the key)."""
from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote

from aiohttp import web
from cryptography import x509

from apiserver.authn.certchain import PeerVerifier
from apiserver.authn.user import AuthenticationFailed
from apiserver.options.authentication import RequestHeaderOptions
from apiserver.request.user import UserInfo


class RequestHeaderAuthenticator:
    def __init__(self, options: RequestHeaderOptions, bundle: tuple[x509.Certificate, ...]) -> None:
        self.options = options
        self.verifier = PeerVerifier(bundle)

    async def authenticate(self, request: web.Request) -> UserInfo | None:
        peer = self.verifier.verified_peer(request)
        if peer is None:
            return None
        if self.options.allowed_names and peer.common_name not in self.options.allowed_names:
            raise AuthenticationFailed(f"x509: subject with cn={peer.common_name} is not in the allowed list")
        headers = request.headers
        name = next((v for h in self.options.username_headers for v in [headers.get(h, "")] if v), "")
        if not name:
            return None
        groups = tuple(v for h in self.options.group_headers for v in headers.getall(h, ()) if v)
        extra: dict[str, tuple[str, ...]] = {}
        for header, value in headers.items():
            for prefix in self.options.extra_headers_prefix:
                if header.lower().startswith(prefix.lower()):
                    key = unquote(header[len(prefix):].lower())
                    extra[key] = extra.get(key, ()) + (value,)
        return UserInfo(name=name, groups=groups, extra=extra)

    def owned_headers(self, names: Iterable[str]) -> list[str]:
        """The request headers this method reads, removed after authentication so they never travel on."""
        exact = {h.lower() for h in self.options.username_headers + self.options.group_headers}
        prefixes = tuple(p.lower() for p in self.options.extra_headers_prefix)
        return [n for n in names if n.lower() in exact or n.lower().startswith(prefixes)]
