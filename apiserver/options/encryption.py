"""Encryption at rest flags: the EncryptionConfiguration file, its automatic reload, and the KMS v2 timings."""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from apiserver.options.errors import ConfigError
from apiserver.options.files import readable
from apiserver.options.values import boolean, duration


@dataclass(frozen=True)
class EncryptionOptions:
    provider_config: Path | None = None
    automatic_reload: bool = False
    # not kube flags: kube's fixed KMS v2 Status poll interval and write-seed lifetime, shortened by tests
    kms_v2_status_interval: float = 60.0
    kms_v2_write_dek_max_ttl: float = 180.0


def add_flags(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--encryption-provider-config", type=Path)
    add("--encryption-provider-config-automatic-reload", type=boolean, default=False, nargs="?", const=True)
    add("--encryption-kms-v2-status-interval", type=duration, default=60.0)
    add("--encryption-kms-v2-write-dek-max-ttl", type=duration, default=180.0)


def from_args(args: argparse.Namespace) -> EncryptionOptions:
    if args.encryption_provider_config_automatic_reload and args.encryption_provider_config is None:
        raise ConfigError("--encryption-provider-config-automatic-reload must be set with --encryption-provider-config")
    if not 0 < args.encryption_kms_v2_status_interval < args.encryption_kms_v2_write_dek_max_ttl:
        raise ConfigError("KMS v2 needs 0 < --encryption-kms-v2-status-interval < "
                          "--encryption-kms-v2-write-dek-max-ttl")
    readable("--encryption-provider-config", args.encryption_provider_config)
    return EncryptionOptions(args.encryption_provider_config, args.encryption_provider_config_automatic_reload,
                             args.encryption_kms_v2_status_interval, args.encryption_kms_v2_write_dek_max_ttl)
