"""The authentication union of one replica, built from its flags in kube-apiserver's order of methods."""
from __future__ import annotations

from apiserver.authn.bootstrap_token import BootstrapTokenAuthenticator
from apiserver.authn.sakeys import VerifyingKey
from apiserver.authn.serviceaccount import BoundTokenAuthenticator, LegacyTokenAuthenticator
from apiserver.authn.token_file import TokenFileAuthenticator, load_token_file
from apiserver.authn.union import UnionAuthenticator
from apiserver.authn.user import Authenticator
from apiserver.authn.x509 import X509Authenticator
from apiserver.options.flags import ServerConfig
from apiserver.registry.registry import Registry


def build_authenticator(config: ServerConfig, registry: Registry,
                        service_account_keys: list[VerifyingKey]) -> UnionAuthenticator:
    """`registry` serves the methods that read API objects (bootstrap tokens, service accounts)."""
    accounts = config.service_accounts
    methods: list[Authenticator] = []
    if config.client_ca_file:
        methods.append(X509Authenticator())
    if config.token_auth_file:
        methods.append(TokenFileAuthenticator(load_token_file(config.token_auth_file)))
    if service_account_keys:
        methods.append(LegacyTokenAuthenticator(registry, service_account_keys))
    if accounts.issuers and service_account_keys:
        methods.append(BoundTokenAuthenticator(registry, service_account_keys, accounts.issuers,
                                               accounts.api_audiences))
    if accounts.enable_bootstrap_token_auth:
        methods.append(BootstrapTokenAuthenticator(registry))
    return UnionAuthenticator(methods, anonymous=config.anonymous_auth)
