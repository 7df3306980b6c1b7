"""ServiceAccount and bootstrap token flags, part of authentication: who signs tokens, which keys verify them,
which issuers and audiences count."""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from apiserver.api.meta.goformat import quote
from apiserver.options.errors import ConfigError
from apiserver.options.files import readable
from apiserver.options.values import boolean, duration, is_url

# kube's bounds for --service-account-max-token-expiration: [1h, 2^32 s]
MIN_MAX_TOKEN_EXPIRATION = 3600.0
MAX_MAX_TOKEN_EXPIRATION = float(1 << 32)


@dataclass(frozen=True)
class ServiceAccountOptions:
    key_files: tuple[Path, ...] = ()
    signing_key_file: Path | None = None
    issuers: tuple[str, ...] = ()
    jwks_uri: str = ""
    # --api-audiences; empty on the command line means the issuers
    api_audiences: tuple[str, ...] = ()
    max_token_expiration: float = 0.0
    extend_token_expiration: bool = True
    enable_bootstrap_token_auth: bool = False


def add_flags(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--service-account-key-file", type=Path, action="append", default=[])
    add("--service-account-signing-key-file", type=Path)
    add("--service-account-issuer", action="append", default=[])
    add("--service-account-jwks-uri", default="")
    add("--api-audiences", default="")
    add("--service-account-max-token-expiration", type=duration, default=0.0)
    add("--service-account-extend-token-expiration", type=boolean, default=True, nargs="?", const=True)
    add("--enable-bootstrap-token-auth", type=boolean, default=False, nargs="?", const=True)


def from_args(args: argparse.Namespace) -> ServiceAccountOptions:
    """kube-apiserver's checks of the ServiceAccount flags, with its wording."""
    issuers: list[str] = []
    for issuer in args.service_account_issuer:
        if not issuer:
            raise ConfigError("service-account-issuer should not be an empty string")
        if ":" in issuer and not is_url(issuer):
            raise ConfigError(f"service-account-issuer {quote(issuer)} contained a ':' but was not a valid URL")
        if issuer in issuers:
            raise ConfigError(f"service-account-issuer {quote(issuer)} is already specified")
        issuers.append(issuer)
    maximum = args.service_account_max_token_expiration
    if maximum and not MIN_MAX_TOKEN_EXPIRATION <= maximum <= MAX_MAX_TOKEN_EXPIRATION:
        raise ConfigError("the service-account-max-token-expiration must be between 1 hour and 2^32 seconds")
    if args.service_account_jwks_uri and not is_url(args.service_account_jwks_uri, "https"):
        raise ConfigError("service-account-jwks-uri requires https scheme")
    signing_key_file = args.service_account_signing_key_file
    if issuers and signing_key_file is None:
        raise ConfigError("service-account-signing-key-file is a required flag when service-account-issuer is set")
    key_files = tuple(args.service_account_key_file)
    if not key_files and signing_key_file:
        # the signer's own public key verifies what it signs
        key_files = (signing_key_file,)
    for path in key_files + ((signing_key_file,) if signing_key_file else ()):
        readable("--service-account-key-file", path)
    audiences = tuple(a.strip() for a in args.api_audiences.split(",") if a.strip()) or tuple(issuers)
    return ServiceAccountOptions(
        key_files=key_files, signing_key_file=signing_key_file, issuers=tuple(issuers),
        jwks_uri=args.service_account_jwks_uri, api_audiences=audiences, max_token_expiration=maximum,
        extend_token_expiration=args.service_account_extend_token_expiration,
        enable_bootstrap_token_auth=args.enable_bootstrap_token_auth)
