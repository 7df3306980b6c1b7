"""ServiceAccount issuer discovery: `/.well-known/openid-configuration` and `/openid/v1/jwks`, so that relying
parties verify ServiceAccount tokens without talking to the API otherwise. Served, as kube does, only when the
first --service-account-issuer is an https URL; access goes through authorization like any other path."""
from __future__ import annotations

import logging
import urllib.parse
from dataclasses import dataclass

import orjson
from aiohttp import web

from apiserver.authn.sakeys import VerifyingKey

log = logging.getLogger(__name__)

CONFIGURATION_PATH = "/.well-known/openid-configuration"
JWKS_PATH = "/openid/v1/jwks"
_CACHE_CONTROL = "public, max-age=3600"


@dataclass(frozen=True)
class OpenIDMetadata:
    configuration: bytes
    jwks: bytes

    def serve(self, path: str) -> web.Response | None:
        if path == CONFIGURATION_PATH:
            body, content_type = self.configuration, "application/json"
        elif path == JWKS_PATH:
            body, content_type = self.jwks, "application/jwk-set+json"
        else:
            return None
        return web.Response(body=body, headers={"Content-Type": content_type, "Cache-Control": _CACHE_CONTROL})


def openid_metadata(issuer: str, jwks_uri: str, external_address: str,
                    keys: list[VerifyingKey]) -> OpenIDMetadata | None:
    """The two documents, or None (with the reason logged) when the issuer cannot be discovered."""
    parts = urllib.parse.urlsplit(issuer)
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        log.warning("not serving ServiceAccount issuer discovery: issuer %r is not an https URL without query or "
                    "fragment", issuer)
        return None
    configuration = {
        "issuer": issuer,
        "jwks_uri": jwks_uri or f"https://{external_address}{JWKS_PATH}",
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": sorted({key.alg for key in keys}),
    }
    return OpenIDMetadata(orjson.dumps(configuration), orjson.dumps({"keys": [key.jwk() for key in keys]}))
