"""The files the authentication flags name, read once at start-up: CA bundles, the static token file, the OIDC
issuer's CA, the token webhook's kubeconfig and the ServiceAccount keys. A file that cannot be used is a
ConfigError naming its flag."""
from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509

from apiserver.authn.sakeys import KeyFileError, SigningKey, VerifyingKey, load_signing_key, load_verifying_keys
from apiserver.authn.token_file import TokenFileError, load_token_file
from apiserver.options.authentication import AuthenticationOptions, OIDCOptions
from apiserver.options.errors import ConfigError
from apiserver.options.files import ca_context, certificates
from apiserver.request.user import UserInfo
from apiserver.webhook.client import WebhookTarget, flag_webhook


@dataclass(frozen=True)
class AuthenticationFiles:
    client_ca: tuple[x509.Certificate, ...] = ()
    requestheader_ca: tuple[x509.Certificate, ...] = ()
    tokens: dict[str, UserInfo] = field(default_factory=dict)
    # how the OIDC issuer is reached: its CA, or the system's
    oidc_tls: ssl.SSLContext | None = None
    token_webhook: WebhookTarget | None = None
    service_account_keys: list[VerifyingKey] = field(default_factory=list)
    signing_key: SigningKey | None = None


def _bundle(flag: str, path: Path | None) -> tuple[x509.Certificate, ...]:
    return certificates(flag, path) if path else ()


def _tokens(path: Path | None) -> dict[str, UserInfo]:
    if path is None:
        return {}
    try:
        return load_token_file(path)
    except OSError as exc:
        raise ConfigError(f"--token-auth-file: cannot read {path}: {exc.strerror}") from None
    except TokenFileError as exc:
        raise ConfigError(f"--token-auth-file: {exc}") from None


def _oidc_tls(options: OIDCOptions | None) -> ssl.SSLContext | None:
    if options is None:
        return None
    return ca_context("--oidc-ca-file", options.ca_file) if options.ca_file else ssl.create_default_context()


def _signing_key(path: Path | None) -> SigningKey | None:
    if path is None:
        return None
    try:
        return load_signing_key(path)
    except (KeyFileError, OSError) as exc:
        raise ConfigError(f"--service-account-signing-key-file: {exc}") from None


def _verifying_keys(paths: tuple[Path, ...]) -> list[VerifyingKey]:
    try:
        return load_verifying_keys(paths)
    except (KeyFileError, OSError) as exc:
        raise ConfigError(f"--service-account-key-file: {exc}") from None


def load_authentication_files(options: AuthenticationOptions) -> AuthenticationFiles:
    accounts = options.service_accounts
    proxy_ca = options.requestheader.client_ca_file if options.requestheader else None
    return AuthenticationFiles(
        client_ca=_bundle("--client-ca-file", options.client_ca_file),
        requestheader_ca=_bundle("--requestheader-client-ca-file", proxy_ca),
        tokens=_tokens(options.token_auth_file), oidc_tls=_oidc_tls(options.oidc),
        token_webhook=flag_webhook("--authentication-token-webhook-config-file",
                                   options.token_webhook.config_file if options.token_webhook else None),
        # the signing key before the verifying keys: they default to it, and its own flag should be the one named
        signing_key=_signing_key(accounts.signing_key_file),
        service_account_keys=_verifying_keys(accounts.key_files))
