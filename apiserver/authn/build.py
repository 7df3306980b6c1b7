"""The authentication union of one replica, built from its flags in kube-apiserver's order of methods:
front-proxy headers, client certificates, then the bearer-token methods (static file, ..., OIDC, webhook)."""
from __future__ import annotations

from apiserver.authn.certchain import load_bundle
from apiserver.authn.oidc import OIDCAuthenticator
from apiserver.authn.requestheader import RequestHeaderAuthenticator
from apiserver.authn.token import AudienceAgnostic, BearerTokenAuthenticator, TokenAuthenticator, TokenUnion
from apiserver.authn.token_file import TokenFileAuthenticator, load_token_file
from apiserver.authn.union import HeaderOwner, UnionAuthenticator
from apiserver.authn.user import Authenticator
from apiserver.authn.webhook_token import WebhookTokenAuthenticator
from apiserver.authn.x509 import X509Authenticator
from apiserver.options.flags import ServerConfig
from apiserver.registry.registry import Registry

# the audiences this server's own tokens are for (--api-audiences); none until that flag is served
API_AUDIENCES: tuple[str, ...] = ()


def build_authenticator(config: ServerConfig, registry: Registry) -> UnionAuthenticator:
    """`registry` serves the methods that read API objects (bootstrap tokens, service accounts)."""
    methods: list[Authenticator] = []
    header_owners: list[HeaderOwner] = []
    if config.requestheader:
        proxy = RequestHeaderAuthenticator(config.requestheader, load_bundle(config.requestheader.client_ca_file,
                                                                          "--requestheader-client-ca-file"))
        methods.append(proxy)
        header_owners.append(proxy.owned_headers)
    if config.client_ca_file:
        methods.append(X509Authenticator(load_bundle(config.client_ca_file, "--client-ca-file")))
    tokens: list[TokenAuthenticator] = []
    if config.token_auth_file:
        tokens.append(AudienceAgnostic(TokenFileAuthenticator(load_token_file(config.token_auth_file)),
                                       API_AUDIENCES))
    if config.oidc:
        tokens.append(AudienceAgnostic(OIDCAuthenticator(config.oidc), API_AUDIENCES))
    if config.token_webhook:
        tokens.append(WebhookTokenAuthenticator(config.token_webhook, API_AUDIENCES))
    token_union = TokenUnion(tokens)
    if tokens:
        methods.append(BearerTokenAuthenticator(token_union, API_AUDIENCES))
    return UnionAuthenticator(methods, anonymous=config.anonymous_auth, tokens=token_union,
                              header_owners=header_owners)
