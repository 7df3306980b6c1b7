"""The authentication union of one replica, built from its flags in kube-apiserver's order of methods:
front-proxy headers, client certificates, then the bearer-token methods (static file, legacy and bound
ServiceAccount tokens, bootstrap tokens, OIDC, webhook)."""
from __future__ import annotations

from apiserver.authn.bootstrap_token import BootstrapTokenAuthenticator
from apiserver.authn.files import AuthenticationFiles
from apiserver.authn.objects import TokenObjects
from apiserver.authn.oidc import OIDCAuthenticator
from apiserver.authn.requestheader import RequestHeaderAuthenticator
from apiserver.authn.serviceaccount import (
    BoundTokenAuthenticator,
    LegacyTokenAuthenticator,
)
from apiserver.authn.token import (
    AudienceAgnostic,
    BearerTokenAuthenticator,
    TokenAuthenticator,
    TokenUnion,
)
from apiserver.authn.token_file import TokenFileAuthenticator
from apiserver.authn.union import HeaderOwner, UnionAuthenticator
from apiserver.authn.user import Authenticator
from apiserver.authn.webhook_token import WebhookTokenAuthenticator
from apiserver.authn.x509 import X509Authenticator
from apiserver.options.authentication import AuthenticationOptions


def build_authenticator(options: AuthenticationOptions, files: AuthenticationFiles,
                        objects: TokenObjects) -> UnionAuthenticator:
    """`files` hold what the flags' files hold; `objects` serve the methods that read API objects (bootstrap
    tokens, service accounts)."""
    accounts = options.service_accounts
    audiences = accounts.api_audiences
    methods: list[Authenticator] = []
    header_owners: list[HeaderOwner] = []
    if options.requestheader:
        proxy = RequestHeaderAuthenticator(options.requestheader, files.requestheader_ca)
        methods.append(proxy)
        header_owners.append(proxy.owned_headers)
    if options.client_ca_file:
        methods.append(X509Authenticator(files.client_ca))
    tokens: list[TokenAuthenticator] = []
    if options.token_auth_file:
        tokens.append(AudienceAgnostic(TokenFileAuthenticator(files.tokens), audiences))
    keys = files.service_account_keys
    if keys:
        tokens.append(AudienceAgnostic(LegacyTokenAuthenticator(objects, keys), audiences))
        if accounts.issuers:
            tokens.append(BoundTokenAuthenticator(objects, keys, accounts.issuers, audiences))
    if accounts.enable_bootstrap_token_auth:
        tokens.append(AudienceAgnostic(BootstrapTokenAuthenticator(objects.secrets), audiences))
    if options.oidc and files.oidc_tls:
        tokens.append(AudienceAgnostic(OIDCAuthenticator(options.oidc, files.oidc_tls), audiences))
    if options.token_webhook and files.token_webhook:
        tokens.append(WebhookTokenAuthenticator(options.token_webhook, files.token_webhook, audiences))
    token_union = TokenUnion(tokens)
    if tokens:
        methods.append(BearerTokenAuthenticator(token_union, audiences))
    return UnionAuthenticator(methods, anonymous=options.anonymous, tokens=token_union,
                              header_owners=header_owners)
