"""Authentication flags, one group per method in kube-apiserver's order: front-proxy headers, client
certificates, the static token file, ServiceAccount and bootstrap tokens, OIDC, the token webhook; then
anonymous."""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from apiserver.options import serviceaccounts
from apiserver.options.errors import ConfigError
from apiserver.options.files import readable
from apiserver.options.serviceaccounts import ServiceAccountOptions
from apiserver.options.values import boolean, duration, key_values, string_list

OIDC_SIGNING_ALGS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512")
TOKEN_WEBHOOK_VERSIONS = ("v1", "v1beta1")


@dataclass(frozen=True)
class OIDCOptions:
    issuer_url: str
    client_id: str
    username_claim: str = "sub"
    username_prefix: str = ""
    groups_claim: str = ""
    groups_prefix: str = ""
    ca_file: Path | None = None
    required_claims: dict[str, str] = field(default_factory=dict)
    signing_algs: tuple[str, ...] = ("RS256",)


@dataclass(frozen=True)
class TokenWebhookOptions:
    config_file: Path
    version: str = "v1beta1"
    cache_ttl: float = 120.0


@dataclass(frozen=True)
class RequestHeaderOptions:
    client_ca_file: Path
    allowed_names: tuple[str, ...] = ()
    username_headers: tuple[str, ...] = ()
    group_headers: tuple[str, ...] = ()
    extra_headers_prefix: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuthenticationOptions:
    anonymous: bool = True
    client_ca_file: Path | None = None
    token_auth_file: Path | None = None
    oidc: OIDCOptions | None = None
    token_webhook: TokenWebhookOptions | None = None
    requestheader: RequestHeaderOptions | None = None
    service_accounts: ServiceAccountOptions = field(default_factory=ServiceAccountOptions)


def add_flags(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--anonymous-auth", type=boolean, default=True, nargs="?", const=True)
    add("--client-ca-file", type=Path)
    add("--token-auth-file", type=Path)
    add("--oidc-issuer-url", default="")
    add("--oidc-client-id", default="")
    add("--oidc-username-claim", default="sub")
    add("--oidc-username-prefix", default="")
    add("--oidc-groups-claim", default="")
    add("--oidc-groups-prefix", default="")
    add("--oidc-ca-file", type=Path)
    add("--oidc-required-claim", type=key_values, action="append", default=[])
    add("--oidc-signing-algs", type=string_list, default=("RS256",))
    add("--authentication-token-webhook-config-file", type=Path)
    add("--authentication-token-webhook-version", default="v1beta1")
    add("--authentication-token-webhook-cache-ttl", type=duration, default=120.0)
    add("--requestheader-client-ca-file", type=Path)
    add("--requestheader-allowed-names", type=string_list, default=())
    add("--requestheader-username-headers", type=string_list, default=())
    add("--requestheader-group-headers", type=string_list, default=())
    add("--requestheader-extra-headers-prefix", type=string_list, default=())
    serviceaccounts.add_flags(parser)


def _oidc(args: argparse.Namespace) -> OIDCOptions | None:
    if not args.oidc_issuer_url:
        if args.oidc_client_id:
            raise ConfigError("oidc-issuer-url and oidc-client-id must be specified together")
        return None
    if not args.oidc_client_id:
        raise ConfigError("oidc-issuer-url and oidc-client-id must be specified together")
    if not args.oidc_issuer_url.startswith("https://"):
        raise ConfigError(f"--oidc-issuer-url: {args.oidc_issuer_url!r} must use the https scheme")
    for alg in args.oidc_signing_algs:
        if alg not in OIDC_SIGNING_ALGS:
            raise ConfigError(f"oidc-signing-algs: unsupported signing algorithm {alg!r}; supported: "
                              f"{', '.join(OIDC_SIGNING_ALGS)}")
    readable("--oidc-ca-file", args.oidc_ca_file)
    required = {k: v for pairs in args.oidc_required_claim for k, v in pairs.items()}
    return OIDCOptions(args.oidc_issuer_url, args.oidc_client_id, args.oidc_username_claim,
                       args.oidc_username_prefix, args.oidc_groups_claim, args.oidc_groups_prefix, args.oidc_ca_file,
                       required, tuple(args.oidc_signing_algs))


def _token_webhook(args: argparse.Namespace) -> TokenWebhookOptions | None:
    if args.authentication_token_webhook_version not in TOKEN_WEBHOOK_VERSIONS:
        raise ConfigError(f"--authentication-token-webhook-version: unsupported version "
                          f"{args.authentication_token_webhook_version!r}; supported: v1, v1beta1")
    if args.authentication_token_webhook_config_file is None:
        return None
    readable("--authentication-token-webhook-config-file", args.authentication_token_webhook_config_file)
    return TokenWebhookOptions(args.authentication_token_webhook_config_file,
                               args.authentication_token_webhook_version, args.authentication_token_webhook_cache_ttl)


def _requestheader(args: argparse.Namespace) -> RequestHeaderOptions | None:
    if args.requestheader_client_ca_file is None:
        return None
    readable("--requestheader-client-ca-file", args.requestheader_client_ca_file)
    return RequestHeaderOptions(args.requestheader_client_ca_file, args.requestheader_allowed_names,
                                args.requestheader_username_headers, args.requestheader_group_headers,
                                args.requestheader_extra_headers_prefix)


def from_args(args: argparse.Namespace) -> AuthenticationOptions:
    readable("--client-ca-file", args.client_ca_file)
    readable("--token-auth-file", args.token_auth_file)
    return AuthenticationOptions(
        anonymous=args.anonymous_auth, client_ca_file=args.client_ca_file, token_auth_file=args.token_auth_file,
        oidc=_oidc(args), token_webhook=_token_webhook(args), requestheader=_requestheader(args),
        service_accounts=serviceaccounts.from_args(args))
