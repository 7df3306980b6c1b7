"""Serving flags: the secure port and its TLS, request deadlines and in-flight limits, and the client
certificates the server presents to kubelets and to aggregated API servers."""
from __future__ import annotations

import argparse
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from apiserver.options.errors import ConfigError
from apiserver.options.files import readable
from apiserver.options.tls import TLS_VERSIONS, SniCertKey, cipher_suites, parse_sni_cert_key
from apiserver.options.values import duration, non_negative, string_list


@dataclass(frozen=True)
class ServingOptions:
    # required: this server serves HTTPS only
    tls_cert_file: Path
    tls_private_key_file: Path
    secure_port: int = 6443
    bind_address: str = "0.0.0.0"
    tls_min_version: str = "VersionTLS12"
    tls_cipher_suites: tuple[str, ...] = ()
    tls_sni_cert_keys: tuple[SniCertKey, ...] = ()
    kubelet_client_certificate: Path | None = None
    kubelet_client_key: Path | None = None
    proxy_client_cert_file: Path | None = None
    proxy_client_key_file: Path | None = None
    request_timeout: float = 60.0
    min_request_timeout: float = 1800.0
    max_requests_inflight: int = 400
    max_mutating_requests_inflight: int = 200

    def client_identities(self) -> tuple[tuple[str, Path | None, str, Path | None], ...]:
        """(certificate flag, file, key flag, file) of the kubelet and the proxy client identity."""
        return (("--kubelet-client-certificate", self.kubelet_client_certificate, "--kubelet-client-key",
                 self.kubelet_client_key),
                ("--proxy-client-cert-file", self.proxy_client_cert_file, "--proxy-client-key-file",
                 self.proxy_client_key_file))

def _port(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}") from None


def _sni_cert_key(text: str) -> SniCertKey:
    try:
        return parse_sni_cert_key(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_flags(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--secure-port", type=_port, default=6443)
    add("--bind-address", default="0.0.0.0")
    add("--tls-cert-file", type=Path)
    add("--tls-private-key-file", type=Path)
    add("--tls-min-version", default="VersionTLS12")
    add("--tls-cipher-suites", type=string_list, default=())
    add("--tls-sni-cert-key", type=_sni_cert_key, action="append", default=[])
    add("--kubelet-client-certificate", type=Path)
    add("--kubelet-client-key", type=Path)
    add("--proxy-client-cert-file", type=Path)
    add("--proxy-client-key-file", type=Path)
    add("--request-timeout", type=duration, default=60.0)
    add("--min-request-timeout", type=non_negative, default=1800)
    add("--max-requests-inflight", type=non_negative, default=400)
    add("--max-mutating-requests-inflight", type=non_negative, default=200)


def from_args(args: argparse.Namespace) -> ServingOptions:
    if not 1 <= args.secure_port <= 65535:
        # kube-apiserver's wording: secure serving is required, so 0 does not mean "off" (nor "any port")
        raise ConfigError(f"--secure-port {args.secure_port} must be between 1 and 65535, inclusive. "
                          "It cannot be turned off with 0")
    if args.tls_min_version not in TLS_VERSIONS:
        raise ConfigError(f"--tls-min-version: unknown version {args.tls_min_version!r}; "
                          f"allowed values: {', '.join(TLS_VERSIONS)}")
    try:
        cipher_suites(args.tls_cipher_suites, args.tls_min_version)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    for sni in args.tls_sni_cert_key:
        readable("--tls-sni-cert-key", sni.cert_file)
        readable("--tls-sni-cert-key", sni.key_file)
    try:
        ipaddress.ip_address(args.bind_address)
    except ValueError:
        raise ConfigError(f"--bind-address: {args.bind_address!r} is not an IP address") from None
    if (args.tls_cert_file is None) != (args.tls_private_key_file is None):
        raise ConfigError("--tls-cert-file and --tls-private-key-file must be given together")
    if args.tls_cert_file is None:
        raise ConfigError("--tls-cert-file and --tls-private-key-file are required: this server serves HTTPS only")
    if args.request_timeout <= 0:
        raise ConfigError("--request-timeout must be positive")
    options = ServingOptions(
        tls_cert_file=args.tls_cert_file, tls_private_key_file=args.tls_private_key_file,
        secure_port=args.secure_port, bind_address=args.bind_address, tls_min_version=args.tls_min_version,
        tls_cipher_suites=args.tls_cipher_suites, tls_sni_cert_keys=tuple(args.tls_sni_cert_key),
        kubelet_client_certificate=args.kubelet_client_certificate, kubelet_client_key=args.kubelet_client_key,
        proxy_client_cert_file=args.proxy_client_cert_file, proxy_client_key_file=args.proxy_client_key_file,
        request_timeout=args.request_timeout, min_request_timeout=float(args.min_request_timeout),
        max_requests_inflight=args.max_requests_inflight,
        max_mutating_requests_inflight=args.max_mutating_requests_inflight)
    for cert_flag, cert, key_flag, key in options.client_identities():
        if (cert is None) != (key is None):
            raise ConfigError(f"{cert_flag} and {key_flag} must be given together")
    readable("--tls-cert-file", options.tls_cert_file)
    readable("--tls-private-key-file", options.tls_private_key_file)
    for cert_flag, cert, key_flag, key in options.client_identities():
        readable(cert_flag, cert)
        readable(key_flag, key)
    return options
