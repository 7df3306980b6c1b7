"""Admission flags: `--enable-admission-plugins`, `--disable-admission-plugins` and
`--admission-control-config-file` (an AdmissionConfiguration: per-plugin configuration, embedded or in a file of
its own). kube-apiserver 1.32's plugin names, the fixed order they run in whatever order the flags name them,
and the ones on by default."""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from apiserver.options.errors import ConfigError
from apiserver.options.files import read_bytes

ORDER: tuple[str, ...] = (
    "AlwaysAdmit",
    "NamespaceAutoProvision",
    "NamespaceLifecycle",
    "NamespaceExists",
    "LimitPodHardAntiAffinityTopology",
    "LimitRanger",
    "ServiceAccount",
    "NodeRestriction",
    "TaintNodesByCondition",
    "AlwaysPullImages",
    "ImagePolicyWebhook",
    "PodSecurity",
    "PodNodeSelector",
    "Priority",
    "DefaultTolerationSeconds",
    "PodTolerationRestriction",
    "EventRateLimit",
    "ExtendedResourceToleration",
    "DefaultStorageClass",
    "StorageObjectInUseProtection",
    "OwnerReferencesPermissionEnforcement",
    "PersistentVolumeClaimResize",
    "RuntimeClass",
    "CertificateApproval",
    "CertificateSigning",
    "ClusterTrustBundleAttest",
    "CertificateSubjectRestriction",
    "DefaultIngressClass",
    "DenyServiceExternalIPs",
    # webhooks, policies, quota and deny come last, in this order
    "MutatingAdmissionPolicy",
    "MutatingAdmissionWebhook",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionWebhook",
    "ResourceQuota",
    "AlwaysDeny",
)

DEFAULT_ON: frozenset[str] = frozenset({
    "NamespaceLifecycle",
    "LimitRanger",
    "ServiceAccount",
    "DefaultStorageClass",
    "PersistentVolumeClaimResize",
    "DefaultTolerationSeconds",
    "MutatingAdmissionWebhook",
    "ValidatingAdmissionWebhook",
    "ResourceQuota",
    "StorageObjectInUseProtection",
    "Priority",
    "TaintNodesByCondition",
    "RuntimeClass",
    "CertificateApproval",
    "CertificateSigning",
    "ClusterTrustBundleAttest",
    "CertificateSubjectRestriction",
    "DefaultIngressClass",
    "PodSecurity",
    "MutatingAdmissionPolicy",
    "ValidatingAdmissionPolicy",
})


CONFIG_API_VERSIONS = ("apiserver.config.k8s.io/v1", "apiserver.config.k8s.io/v1alpha1", "apiserver.k8s.io/v1alpha1")


@dataclass(frozen=True)
class AdmissionOptions:
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    config_file: Path | None = None
    # each plugin's configuration object from the config file, by plugin name
    plugin_configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    # DefaultTolerationSeconds: how long a pod tolerates its node being not ready or unreachable
    default_not_ready_toleration_seconds: int = 300
    default_unreachable_toleration_seconds: int = 300

    @property
    def enabled(self) -> list[str]:
        """kube's enabledPluginNames: the defaults, plus `enable`, minus `disable`, in ORDER."""
        on = (DEFAULT_ON | set(self.enable)) - set(self.disable)
        return [name for name in ORDER if name in on]


def add_flags(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--enable-admission-plugins", default="")
    add("--disable-admission-plugins", default="")
    add("--admission-control-config-file", type=Path)
    add("--default-not-ready-toleration-seconds", type=_int64, default=300)
    add("--default-unreachable-toleration-seconds", type=_int64, default=300)


def _int64(text: str) -> int:
    """A pflag int64 value."""
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"strconv.ParseInt: parsing \"{text}\": invalid syntax") from None
    if not -(1 << 63) <= value < 1 << 63:
        raise argparse.ArgumentTypeError(f"strconv.ParseInt: parsing \"{text}\": value out of range")
    return value


def _names(value: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in value.split(",") if name.strip())


def _load(flag: str, path: Path) -> Any:
    try:
        return yaml.safe_load(read_bytes(flag, path))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{flag}: cannot parse {path}: {exc}") from None


def read_config_file(path: Path) -> dict[str, dict[str, Any]]:
    """kube's ReadAdmissionConfiguration: an AdmissionConfiguration whose plugins carry their configuration
    inline (`configuration`) or in a file (`path`, relative to the config file's directory)."""
    flag = "--admission-control-config-file"
    doc = _load(flag, path)
    if not isinstance(doc, dict) or doc.get("kind") != "AdmissionConfiguration":
        raise ConfigError(f"{flag}: {path} is not an AdmissionConfiguration")
    if doc.get("apiVersion") not in CONFIG_API_VERSIONS:
        raise ConfigError(f"{flag}: {path}: unsupported apiVersion {doc.get('apiVersion')!r}; supported: "
                          f"{', '.join(CONFIG_API_VERSIONS)}")
    configs: dict[str, dict[str, Any]] = {}
    for entry in doc.get("plugins") or []:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not name:
            raise ConfigError(f"{flag}: {path}: every plugin needs a name")
        if name not in ORDER:
            raise ConfigError(f"{flag}: {path}: unknown admission plugin {name!r}")
        if entry.get("configuration") is not None:
            config = entry["configuration"]
        elif entry.get("path"):
            named = Path(entry["path"])
            config = _load(flag, named if named.is_absolute() else path.parent / named)
        else:
            continue
        if not isinstance(config, dict):
            raise ConfigError(f"{flag}: {path}: the configuration of {name} is not an object")
        configs[name] = config
    return configs


def from_args(args: argparse.Namespace) -> AdmissionOptions:
    """kube's AdmissionOptions.Validate, with its wording."""
    enable, disable = _names(args.enable_admission_plugins), _names(args.disable_admission_plugins)
    problems = [f'enable-admission-plugins plugin "{name}" is unknown' for name in enable if name not in ORDER]
    problems += [f'disable-admission-plugins plugin "{name}" is unknown' for name in disable if name not in ORDER]
    overlap = sorted(set(enable) & set(disable))
    if overlap:
        problems.append(f"[{' '.join(overlap)}] in enable-admission-plugins and disable-admission-plugins "
                        "overlapped")
    if problems:
        raise ConfigError(", ".join(problems))
    configs = read_config_file(args.admission_control_config_file) if args.admission_control_config_file else {}
    return AdmissionOptions(enable, disable, args.admission_control_config_file, configs,
                            args.default_not_ready_toleration_seconds, args.default_unreachable_toleration_seconds)
