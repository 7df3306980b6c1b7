"""Authorization flags: the modes in order, and the files of the ABAC and Webhook modes."""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from apiserver.options.errors import ConfigError
from apiserver.options.files import readable
from apiserver.options.values import duration

AUTHORIZATION_MODES = ("AlwaysAllow", "AlwaysDeny", "Node", "ABAC", "RBAC", "Webhook")
WEBHOOK_VERSIONS = ("v1", "v1beta1")


@dataclass(frozen=True)
class AuthorizationOptions:
    modes: tuple[str, ...] = ("AlwaysAllow",)
    policy_file: Path | None = None
    webhook_config_file: Path | None = None
    webhook_version: str = "v1beta1"
    webhook_cache_authorized_ttl: float = 300.0
    webhook_cache_unauthorized_ttl: float = 30.0


def add_flags(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--authorization-mode", default="AlwaysAllow")
    add("--authorization-policy-file", type=Path)
    add("--authorization-webhook-config-file", type=Path)
    add("--authorization-webhook-version", default="v1beta1")
    add("--authorization-webhook-cache-authorized-ttl", type=duration, default=300.0)
    add("--authorization-webhook-cache-unauthorized-ttl", type=duration, default=30.0)


def _check_files(args: argparse.Namespace, modes: tuple[str, ...]) -> None:
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


def from_args(args: argparse.Namespace) -> AuthorizationOptions:
    modes = tuple(m.strip() for m in args.authorization_mode.split(",") if m.strip())
    for mode in modes:
        if mode not in AUTHORIZATION_MODES:
            raise ConfigError(f"--authorization-mode: unknown or not yet supported mode {mode!r}; "
                              f"supported: {', '.join(AUTHORIZATION_MODES)}")
    if not modes:
        raise ConfigError("--authorization-mode must name at least one mode")
    _check_files(args, modes)
    readable("--authorization-policy-file", args.authorization_policy_file)
    readable("--authorization-webhook-config-file", args.authorization_webhook_config_file)
    return AuthorizationOptions(modes, args.authorization_policy_file, args.authorization_webhook_config_file,
                                args.authorization_webhook_version, args.authorization_webhook_cache_authorized_ttl,
                                args.authorization_webhook_cache_unauthorized_ttl)
