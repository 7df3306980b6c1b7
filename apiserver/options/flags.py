"""kube-apiserver's command-line flags for what this server implements, parsed into one typed config.

A bad flag, a bad value or an unreadable file is one clear line on stderr and exit status 1.
"""
from __future__ import annotations

import argparse
import ipaddress
import sys
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from apiserver.api.meta.duration import parse_go_duration
from apiserver.api.meta.goformat import quote
from apiserver.options.tls import (
    TLS_VERSIONS,
    SniCertKey,
    cipher_suites,
    parse_sni_cert_key,
)
from apiserver.storage.media_type import JSON, MEDIA_TYPES

AUTHORIZATION_MODES = ("AlwaysAllow", "AlwaysDeny", "Node", "ABAC", "RBAC", "Webhook")
WEBHOOK_VERSIONS = ("v1", "v1beta1")


class ConfigError(Exception):
    """One line that tells the operator what to fix."""


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
# kube's bounds for --service-account-max-token-expiration: [1h, 2^32 s]
MIN_MAX_TOKEN_EXPIRATION = 3600.0
MAX_MAX_TOKEN_EXPIRATION = float(1 << 32)


@dataclass(frozen=True)
class ServiceAccountConfig:
    """ServiceAccount tokens and bootstrap tokens: who signs, which keys verify, which issuers and audiences count."""
    key_files: tuple[Path, ...] = ()
    signing_key_file: Path | None = None
    issuers: tuple[str, ...] = ()
    jwks_uri: str = ""
    # --api-audiences; empty on the command line means the issuers
    api_audiences: tuple[str, ...] = ()
    max_token_expiration: float = 0.0
    extend_token_expiration: bool = True
    enable_bootstrap_token_auth: bool = False


@dataclass(frozen=True)
class ServerConfig:
    etcd_servers: tuple[str, ...]
    secure_port: int = 6443
    bind_address: str = "0.0.0.0"
    etcd_cafile: Path | None = None
    etcd_certfile: Path | None = None
    etcd_keyfile: Path | None = None
    etcd_prefix: str = "/registry"
    tls_cert_file: Path | None = None
    tls_private_key_file: Path | None = None
    client_ca_file: Path | None = None
    tls_min_version: str = "VersionTLS12"
    # TLS serving beyond the main pair, and the client identities the server presents to kubelets and to
    # aggregated API servers
    tls_cipher_suites: tuple[str, ...] = ()
    tls_sni_cert_keys: tuple[SniCertKey, ...] = ()
    kubelet_client_certificate: Path | None = None
    kubelet_client_key: Path | None = None
    proxy_client_cert_file: Path | None = None
    proxy_client_key_file: Path | None = None
    default_watch_cache_size: int = 100
    watch_cache_sizes: dict[str, int] = field(default_factory=dict)
    request_timeout: float = 60.0
    min_request_timeout: float = 1800.0
    max_requests_inflight: int = 400
    max_mutating_requests_inflight: int = 200
    token_auth_file: Path | None = None
    anonymous_auth: bool = True
    authorization_modes: tuple[str, ...] = ("AlwaysAllow",)
    verbosity: int = 0
    advertise_address: str = "127.0.0.1"
    etcd_compaction_interval: float = 300.0
    shutdown_delay_duration: float = 0.0
    endpoint_reconciler_type: str = "lease"
    endpoint_lease_ttl: float = 15.0
    identity_lease_duration_seconds: int = 3600
    identity_lease_renew_interval_seconds: int = 10
    leader_elect_lease_duration: float = 15.0
    leader_elect_renew_deadline: float = 10.0
    leader_elect_retry_period: float = 2.0
    service_cluster_ip_ranges: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = (
        ipaddress.IPv4Network("10.0.0.0/24"),)
    service_node_port_range: tuple[int, int] = (30000, 32767)
    service_allocation_repair_interval: float = 180.0
    # authentication by OIDC, token webhook and front-proxy headers (apiserver/authn/{oidc,webhook_token,
    # requestheader}.py)
    oidc: OIDCOptions | None = None
    token_webhook: TokenWebhookOptions | None = None
    requestheader: RequestHeaderOptions | None = None
    service_accounts: ServiceAccountConfig = field(default_factory=ServiceAccountConfig)
    # authorization: ABAC and Webhook modes
    authorization_policy_file: Path | None = None
    authorization_webhook_config_file: Path | None = None
    authorization_webhook_version: str = "v1beta1"
    authorization_webhook_cache_authorized_ttl: float = 300.0
    authorization_webhook_cache_unauthorized_ttl: float = 30.0
    encryption_provider_config: Path | None = None
    encryption_provider_config_automatic_reload: bool = False
    # how objects are written to etcd (reads take every encoding); docs/storage.md says why JSON is the default
    storage_media_type: str = JSON
    # not kube flags: kube's fixed KMS v2 Status poll interval and write-seed lifetime, shortened by tests
    encryption_kms_v2_status_interval: float = 60.0
    encryption_kms_v2_write_dek_max_ttl: float = 180.0


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ConfigError(message)


def _bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "1", "t"):
        return True
    if lowered in ("false", "0", "f"):
        return False
    raise argparse.ArgumentTypeError(f"invalid boolean value {text!r}")


def _duration(text: str) -> float:
    try:
        return parse_go_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}") from None
    return port


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid integer {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must not be negative")
    return value


def _string_list(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


def _sni_cert_key(text: str) -> SniCertKey:
    try:
        return parse_sni_cert_key(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _cache_sizes(text: str) -> dict[str, int]:
    """`resource[.group]#size,...`, as kube-apiserver's --watch-cache-sizes."""
    sizes = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        name, sep, size = item.partition("#")
        if not sep or not name or not size.isdigit():
            raise argparse.ArgumentTypeError(f"invalid value {item!r}: expected resource[.group]#size")
        sizes[name.lower()] = int(size)
    return sizes


def _service_cidrs(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """kube-apiserver's --service-cluster-ip-range: one CIDR, or two of different families (dual-stack)."""
    if not text.strip():
        return ServerConfig.service_cluster_ip_ranges   # kube's default, 10.0.0.0/24
    entries = [e.strip() for e in text.split(",")]
    if len(entries) > 2:
        raise ConfigError("--service-cluster-ip-range must not contain more than two entries")
    cidrs = []
    for i, entry in enumerate(entries):
        try:
            cidr = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(f"--service-cluster-ip-range[{i}]: {entry!r} is not a valid CIDR") from None
        # kube caps a range at 2^20 addresses
        if cidr.max_prefixlen - cidr.prefixlen > 20:
            raise ConfigError(f"--service-cluster-ip-range[{i}] is too large; for {cidr.max_prefixlen}-bit addresses, "
                              f"the mask must be >= {cidr.max_prefixlen - 20}")
        if cidr.num_addresses < 4:
            raise ConfigError(f"--service-cluster-ip-range[{i}] {entry} leaves no address to allocate")
        cidrs.append(cidr)
    if len(cidrs) == 2 and cidrs[0].version == cidrs[1].version:
        raise ConfigError("--service-cluster-ip-range[0] and --service-cluster-ip-range[1] must be of different "
                          "IP family")
    return tuple(cidrs)


def _port_range(text: str) -> tuple[int, int]:
    """`first-last` or `first+count`, as kube's --service-node-port-range."""
    first, sep, rest = text.partition("-")
    if not sep:
        first, sep, rest = text.partition("+")
    try:
        low, high = int(first), int(rest)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected first-last or first+count") from None
    if sep == "+":
        high = low + high - 1
    if not 0 < low <= high <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a range of ports inside 1-65535")
    return low, high


def _build_parser() -> _Parser:
    p = _Parser(prog="kube-apiserver", add_help=True, allow_abbrev=False)
    add = p.add_argument
    add("--etcd-servers", default="", help="comma-separated etcd URLs (https://host:port)")
    add("--etcd-cafile", type=Path)
    add("--etcd-certfile", type=Path)
    add("--etcd-keyfile", type=Path)
    add("--etcd-prefix", default="/registry")
    add("--secure-port", type=_port, default=6443)
    add("--bind-address", default="0.0.0.0")
    add("--tls-cert-file", type=Path)
    add("--tls-private-key-file", type=Path)
    add("--client-ca-file", type=Path)
    add("--tls-min-version", default="VersionTLS12")
    add("--tls-cipher-suites", type=_string_list, default=())
    add("--tls-sni-cert-key", type=_sni_cert_key, action="append", default=[])
    add("--kubelet-client-certificate", type=Path)
    add("--kubelet-client-key", type=Path)
    add("--proxy-client-cert-file", type=Path)
    add("--proxy-client-key-file", type=Path)
    add("--default-watch-cache-size", type=_non_negative, default=100)
    add("--watch-cache-sizes", type=_cache_sizes, default={})
    add("--request-timeout", type=_duration, default=60.0)
    add("--min-request-timeout", type=_non_negative, default=1800)
    add("--max-requests-inflight", type=_non_negative, default=400)
    add("--max-mutating-requests-inflight", type=_non_negative, default=200)
    add("--token-auth-file", type=Path)
    add("--anonymous-auth", type=_bool, default=True, nargs="?", const=True)
    add("--authorization-mode", default="AlwaysAllow")
    add("-v", "--v", type=_non_negative, default=0, dest="verbosity")
    add("--advertise-address", default="")
    add("--etcd-compaction-interval", type=_duration, default=300.0)
    add("--shutdown-delay-duration", type=_duration, default=0.0)
    add("--endpoint-reconciler-type", default="lease")
    add("--endpoint-lease-ttl", type=_duration, default=15.0)
    add("--identity-lease-duration-seconds", type=_non_negative, default=3600)
    add("--identity-lease-renew-interval-seconds", type=_non_negative, default=10)
    add("--leader-elect-lease-duration", type=_duration, default=15.0)
    add("--leader-elect-renew-deadline", type=_duration, default=10.0)
    add("--leader-elect-retry-period", type=_duration, default=2.0)
    add("--service-cluster-ip-range", default="")
    add("--service-node-port-range", type=_port_range, default=(30000, 32767))
    add("--service-allocation-repair-interval", type=_duration, default=180.0)
    # OIDC, token webhook and front-proxy authentication
    add("--oidc-issuer-url", default="")
    add("--oidc-client-id", default="")
    add("--oidc-username-claim", default="sub")
    add("--oidc-username-prefix", default="")
    add("--oidc-groups-claim", default="")
    add("--oidc-groups-prefix", default="")
    add("--oidc-ca-file", type=Path)
    add("--oidc-required-claim", type=_key_values, action="append", default=[])
    add("--oidc-signing-algs", type=_list, default=["RS256"])
    add("--authentication-token-webhook-config-file", type=Path)
    add("--authentication-token-webhook-version", default="v1beta1")
    add("--authentication-token-webhook-cache-ttl", type=_duration, default=120.0)
    add("--requestheader-client-ca-file", type=Path)
    add("--requestheader-allowed-names", type=_list, default=[])
    add("--requestheader-username-headers", type=_list, default=[])
    add("--requestheader-group-headers", type=_list, default=[])
    add("--requestheader-extra-headers-prefix", type=_list, default=[])
    _add_service_account_flags(add)
    # authorization: ABAC and Webhook modes
    add("--authorization-policy-file", type=Path)
    add("--authorization-webhook-config-file", type=Path)
    add("--authorization-webhook-version", default="v1beta1")
    add("--authorization-webhook-cache-authorized-ttl", type=_duration, default=300.0)
    add("--authorization-webhook-cache-unauthorized-ttl", type=_duration, default=30.0)
    add("--encryption-provider-config", type=Path)
    add("--encryption-provider-config-automatic-reload", type=_bool, default=False, nargs="?", const=True)
    add("--storage-media-type", default="")
    add("--encryption-kms-v2-status-interval", type=_duration, default=60.0)
    add("--encryption-kms-v2-write-dek-max-ttl", type=_duration, default=180.0)
    return p


def _list(text: str) -> list[str]:
    """A pflag string slice: comma-separated, empty items dropped."""
    return [item.strip() for item in text.split(",") if item.strip()]


def _key_values(text: str) -> dict[str, str]:
    """A pflag mapStringString: `key=value[,key=value]`."""
    pairs = {}
    for item in _list(text):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise argparse.ArgumentTypeError(f"{item!r} must be formatted as key=value")
        pairs[key] = value
    return pairs


def _oidc_options(args: argparse.Namespace) -> OIDCOptions | None:
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
    _readable("--oidc-ca-file", args.oidc_ca_file)
    required = {k: v for pairs in args.oidc_required_claim for k, v in pairs.items()}
    return OIDCOptions(args.oidc_issuer_url, args.oidc_client_id, args.oidc_username_claim,
                       args.oidc_username_prefix, args.oidc_groups_claim, args.oidc_groups_prefix, args.oidc_ca_file,
                       required, tuple(args.oidc_signing_algs))


def _token_webhook_options(args: argparse.Namespace) -> TokenWebhookOptions | None:
    if args.authentication_token_webhook_version not in TOKEN_WEBHOOK_VERSIONS:
        raise ConfigError(f"--authentication-token-webhook-version: unsupported version "
                          f"{args.authentication_token_webhook_version!r}; supported: v1, v1beta1")
    if args.authentication_token_webhook_config_file is None:
        return None
    _readable("--authentication-token-webhook-config-file", args.authentication_token_webhook_config_file)
    return TokenWebhookOptions(args.authentication_token_webhook_config_file,
                               args.authentication_token_webhook_version, args.authentication_token_webhook_cache_ttl)


def _requestheader_options(args: argparse.Namespace) -> RequestHeaderOptions | None:
    if args.requestheader_client_ca_file is None:
        return None
    _readable("--requestheader-client-ca-file", args.requestheader_client_ca_file)
    return RequestHeaderOptions(args.requestheader_client_ca_file, tuple(args.requestheader_allowed_names),
                                tuple(args.requestheader_username_headers), tuple(args.requestheader_group_headers),
                                tuple(args.requestheader_extra_headers_prefix))


def _add_service_account_flags(add) -> None:
    add("--service-account-key-file", type=Path, action="append", default=[])
    add("--service-account-signing-key-file", type=Path)
    add("--service-account-issuer", action="append", default=[])
    add("--service-account-jwks-uri", default="")
    add("--api-audiences", default="")
    add("--service-account-max-token-expiration", type=_duration, default=0.0)
    add("--service-account-extend-token-expiration", type=_bool, default=True, nargs="?", const=True)
    add("--enable-bootstrap-token-auth", type=_bool, default=False, nargs="?", const=True)


def _service_account_config(args: argparse.Namespace) -> ServiceAccountConfig:
    """kube-apiserver's checks of the ServiceAccount flags, with its wording."""
    issuers: list[str] = []
    for issuer in args.service_account_issuer:
        if not issuer:
            raise ConfigError("service-account-issuer should not be an empty string")
        if ":" in issuer and not _is_url(issuer):
            raise ConfigError(f"service-account-issuer {quote(issuer)} contained a ':' but was not a valid URL")
        if issuer in issuers:
            raise ConfigError(f"service-account-issuer {quote(issuer)} is already specified")
        issuers.append(issuer)
    maximum = args.service_account_max_token_expiration
    if maximum and not MIN_MAX_TOKEN_EXPIRATION <= maximum <= MAX_MAX_TOKEN_EXPIRATION:
        raise ConfigError("the service-account-max-token-expiration must be between 1 hour and 2^32 seconds")
    if args.service_account_jwks_uri and not _is_url(args.service_account_jwks_uri, "https"):
        raise ConfigError("service-account-jwks-uri requires https scheme")
    if issuers and args.service_account_signing_key_file is None:
        raise ConfigError("service-account-signing-key-file is a required flag when service-account-issuer is set")
    key_files = tuple(args.service_account_key_file)
    if not key_files and args.service_account_signing_key_file:
        # the signer's own public key verifies what it signs
        key_files = (args.service_account_signing_key_file,)
    for path in key_files + ((args.service_account_signing_key_file,) if args.service_account_signing_key_file
                             else ()):
        _readable("--service-account-key-file", path)
    audiences = tuple(a.strip() for a in args.api_audiences.split(",") if a.strip()) or tuple(issuers)
    return ServiceAccountConfig(
        key_files=key_files, signing_key_file=args.service_account_signing_key_file, issuers=tuple(issuers),
        jwks_uri=args.service_account_jwks_uri, api_audiences=audiences, max_token_expiration=maximum,
        extend_token_expiration=args.service_account_extend_token_expiration,
        enable_bootstrap_token_auth=args.enable_bootstrap_token_auth)


def _is_url(text: str, scheme: str = "") -> bool:
    parts = urllib.parse.urlsplit(text)
    return bool(parts.scheme and parts.netloc) and (not scheme or parts.scheme == scheme)


def _readable(flag: str, path: Path | None) -> None:
    if path is None:
        return
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise ConfigError(f"{flag}: cannot read {path}: {exc.strerror}") from None


def _check_authorization_files(args: argparse.Namespace, modes: tuple[str, ...]) -> None:
    """kube-apiserver's checks that each file-backed mode has its file, and each file its mode."""
    for mode in modes:
        if modes.count(mode) > 1:
            raise ConfigError(f'authorization-mode "{mode}" has mode specified more than once')
    if "ABAC" in modes and args.authorization_policy_file is None:
        raise ConfigError("authorization-mode ABAC's authorization policy file not passed")
    if "ABAC" not in modes and args.authorization_policy_file is not None:
        raise ConfigError("cannot specify --authorization-policy-file without mode ABAC")
    if "Webhook" in modes and args.authorization_webhook_config_file is None:
        raise ConfigError("authorization-mode Webhook's authorization config file not passed")
    if "Webhook" not in modes and args.authorization_webhook_config_file is not None:
        raise ConfigError("cannot specify --authorization-webhook-config-file without mode Webhook")
    if args.authorization_webhook_version not in WEBHOOK_VERSIONS:
        raise ConfigError("--authorization-webhook-version: unsupported version "
                          f"{args.authorization_webhook_version!r}; supported: {', '.join(WEBHOOK_VERSIONS)}")


def parse_flags(argv: Sequence[str]) -> ServerConfig:
    args = _build_parser().parse_args(list(argv))
    if not 1 <= args.secure_port <= 65535:
        # kube-apiserver's wording: secure serving is required, so 0 does not mean "off" (nor "any port")
        raise ConfigError(f"--secure-port {args.secure_port} must be between 1 and 65535, inclusive. "
                          "It cannot be turned off with 0")
    servers = tuple(s.strip() for s in args.etcd_servers.split(",") if s.strip())
    if not servers:
        raise ConfigError("--etcd-servers must be specified")
    for server in servers:
        if not server.startswith(("https://", "http://")):
            raise ConfigError(f"--etcd-servers: {server!r} is not an http(s) URL")
    if args.tls_min_version not in TLS_VERSIONS:
        raise ConfigError(f"--tls-min-version: unknown version {args.tls_min_version!r}; "
                          f"allowed values: {', '.join(TLS_VERSIONS)}")
    try:
        cipher_suites(args.tls_cipher_suites, args.tls_min_version)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    for (cert_flag, cert), (key_flag, key) in (
            (("--kubelet-client-certificate", args.kubelet_client_certificate),
             ("--kubelet-client-key", args.kubelet_client_key)),
            (("--proxy-client-cert-file", args.proxy_client_cert_file),
             ("--proxy-client-key-file", args.proxy_client_key_file))):
        if (cert is None) != (key is None):
            raise ConfigError(f"{cert_flag} and {key_flag} must be given together")
    for sni in args.tls_sni_cert_key:
        _readable("--tls-sni-cert-key", sni.cert_file)
        _readable("--tls-sni-cert-key", sni.key_file)
    try:
        ipaddress.ip_address(args.bind_address)
    except ValueError:
        raise ConfigError(f"--bind-address: {args.bind_address!r} is not an IP address") from None
    if (args.tls_cert_file is None) != (args.tls_private_key_file is None):
        raise ConfigError("--tls-cert-file and --tls-private-key-file must be given together")
    if args.tls_cert_file is None:
        raise ConfigError("--tls-cert-file and --tls-private-key-file are required: this server serves HTTPS only")
    etcd_tls = (args.etcd_certfile, args.etcd_keyfile)
    if any(etcd_tls) and not all(etcd_tls):
        raise ConfigError("--etcd-certfile and --etcd-keyfile must be given together")
    modes = tuple(m.strip() for m in args.authorization_mode.split(",") if m.strip())
    for mode in modes:
        if mode not in AUTHORIZATION_MODES:
            raise ConfigError(f"--authorization-mode: unknown or not yet supported mode {mode!r}; "
                              f"supported: {', '.join(AUTHORIZATION_MODES)}")
    if not modes:
        raise ConfigError("--authorization-mode must name at least one mode")
    _check_authorization_files(args, modes)
    if args.endpoint_reconciler_type not in ("lease", "none"):
        raise ConfigError(f"--endpoint-reconciler-type: unknown type {args.endpoint_reconciler_type!r}; "
                          "supported: lease, none")
    advertise = args.advertise_address or (args.bind_address if args.bind_address not in ("0.0.0.0", "::")
                                           else "127.0.0.1")
    try:
        ipaddress.ip_address(advertise)
    except ValueError:
        raise ConfigError(f"--advertise-address: {advertise!r} is not an IP address") from None
    if not 0 < args.leader_elect_retry_period < args.leader_elect_renew_deadline < args.leader_elect_lease_duration:
        raise ConfigError("leader election needs 0 < --leader-elect-retry-period < --leader-elect-renew-deadline "
                          "< --leader-elect-lease-duration")
    if args.endpoint_lease_ttl < 2:
        raise ConfigError("--endpoint-lease-ttl must be at least 2s (etcd's minimum lease TTL)")
    if args.request_timeout <= 0:
        raise ConfigError("--request-timeout must be positive")
    if args.service_allocation_repair_interval <= 0:
        raise ConfigError("--service-allocation-repair-interval must be positive")
    service_cidrs = _service_cidrs(args.service_cluster_ip_range)
    if args.encryption_provider_config_automatic_reload and args.encryption_provider_config is None:
        raise ConfigError("--encryption-provider-config-automatic-reload must be set with --encryption-provider-config")
    media_type = args.storage_media_type or JSON
    if media_type not in MEDIA_TYPES:
        raise ConfigError(f"--storage-media-type {quote(args.storage_media_type)} invalid, allowed values: "
                          f"{', '.join(MEDIA_TYPES)}")
    if not 0 < args.encryption_kms_v2_status_interval < args.encryption_kms_v2_write_dek_max_ttl:
        raise ConfigError("KMS v2 needs 0 < --encryption-kms-v2-status-interval"
                          " < --encryption-kms-v2-write-dek-max-ttl")
    for flag, path in (("--etcd-cafile", args.etcd_cafile), ("--etcd-certfile", args.etcd_certfile),
                       ("--etcd-keyfile", args.etcd_keyfile), ("--tls-cert-file", args.tls_cert_file),
                       ("--tls-private-key-file", args.tls_private_key_file),
                       ("--client-ca-file", args.client_ca_file), ("--token-auth-file", args.token_auth_file),
                       ("--kubelet-client-certificate", args.kubelet_client_certificate),
                       ("--kubelet-client-key", args.kubelet_client_key),
                       ("--proxy-client-cert-file", args.proxy_client_cert_file),
                       ("--proxy-client-key-file", args.proxy_client_key_file),
                       ("--authorization-policy-file", args.authorization_policy_file),
                       ("--authorization-webhook-config-file", args.authorization_webhook_config_file),
                       ("--encryption-provider-config", args.encryption_provider_config)):
        _readable(flag, path)
    return ServerConfig(
        etcd_servers=servers, secure_port=args.secure_port, bind_address=args.bind_address,
        etcd_cafile=args.etcd_cafile, etcd_certfile=args.etcd_certfile, etcd_keyfile=args.etcd_keyfile,
        etcd_prefix=args.etcd_prefix, tls_cert_file=args.tls_cert_file,
        tls_private_key_file=args.tls_private_key_file, client_ca_file=args.client_ca_file,
        tls_min_version=args.tls_min_version, tls_cipher_suites=args.tls_cipher_suites,
        tls_sni_cert_keys=tuple(args.tls_sni_cert_key), kubelet_client_certificate=args.kubelet_client_certificate,
        kubelet_client_key=args.kubelet_client_key, proxy_client_cert_file=args.proxy_client_cert_file,
        proxy_client_key_file=args.proxy_client_key_file, default_watch_cache_size=args.default_watch_cache_size,
        watch_cache_sizes=args.watch_cache_sizes, request_timeout=args.request_timeout,
        min_request_timeout=float(args.min_request_timeout), max_requests_inflight=args.max_requests_inflight,
        max_mutating_requests_inflight=args.max_mutating_requests_inflight, token_auth_file=args.token_auth_file,
        anonymous_auth=args.anonymous_auth, authorization_modes=modes, verbosity=args.verbosity,
        advertise_address=advertise, etcd_compaction_interval=args.etcd_compaction_interval,
        shutdown_delay_duration=args.shutdown_delay_duration, endpoint_reconciler_type=args.endpoint_reconciler_type,
        endpoint_lease_ttl=args.endpoint_lease_ttl,
        identity_lease_duration_seconds=args.identity_lease_duration_seconds,
        identity_lease_renew_interval_seconds=args.identity_lease_renew_interval_seconds,
        leader_elect_lease_duration=args.leader_elect_lease_duration,
        leader_elect_renew_deadline=args.leader_elect_renew_deadline,
        leader_elect_retry_period=args.leader_elect_retry_period,
        service_cluster_ip_ranges=service_cidrs, service_node_port_range=args.service_node_port_range,
        service_allocation_repair_interval=args.service_allocation_repair_interval,
        oidc=_oidc_options(args), token_webhook=_token_webhook_options(args),
        requestheader=_requestheader_options(args),
        service_accounts=_service_account_config(args),
        authorization_policy_file=args.authorization_policy_file,
        authorization_webhook_config_file=args.authorization_webhook_config_file,
        authorization_webhook_version=args.authorization_webhook_version,
        authorization_webhook_cache_authorized_ttl=args.authorization_webhook_cache_authorized_ttl,
        authorization_webhook_cache_unauthorized_ttl=args.authorization_webhook_cache_unauthorized_ttl,
        encryption_provider_config=args.encryption_provider_config,
        encryption_provider_config_automatic_reload=args.encryption_provider_config_automatic_reload,
        storage_media_type=media_type,
        encryption_kms_v2_status_interval=args.encryption_kms_v2_status_interval,
        encryption_kms_v2_write_dek_max_ttl=args.encryption_kms_v2_write_dek_max_ttl,
    )


def fail(message: str) -> NoReturn:
    print(f"Error: {message}", file=sys.stderr)
    raise SystemExit(1)
