"""The PodSecurityConfiguration (pod-security.admission.config.k8s.io) given to the plugin in
--admission-control-config-file: the policy of namespaces without labels, and who is exempt. Without one, kube's
defaults: privileged:latest for every mode, nobody exempt."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apiserver.admission.plugins.podsecurity.levels import (
    LEVEL_ERROR,
    MODES,
    VERSION_ERROR,
    Level,
    LevelVersion,
    Policy,
    parse_level,
    parse_version,
)
from apiserver.api.meta.goformat import aggregate, quote
from apiserver.api.validation.metadata import name_errors
from apiserver.options.errors import ConfigError

GROUP = "pod-security.admission.config.k8s.io"
API_VERSIONS = (f"{GROUP}/v1", f"{GROUP}/v1beta1")


@dataclass(frozen=True)
class Exemptions:
    usernames: frozenset[str] = frozenset()
    namespaces: frozenset[str] = frozenset()
    runtime_classes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PodSecurityConfig:
    defaults: Policy = Policy()
    exemptions: Exemptions = Exemptions()


def _strings(doc: dict[str, Any], key: str) -> list[str]:
    value = doc.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"PodSecurity configuration error: exemptions.{key} must be a list of strings")
    return value


def _exemption_errors(key: str, values: list[str], rule: str | None) -> list[str]:
    """kube's checks of one exemption list: each a valid name (usernames only non-empty), none twice."""
    errors: list[str] = []
    seen: set[str] = set()
    for i, value in enumerate(values):
        path = f"exemptions.{key}[{i}]"
        if rule is None and not value:
            errors.append(f"{path}: Required value")
        elif rule and (problems := name_errors(value, rule)):
            errors.append(f"{path}: Invalid value: {quote(value)}: {', '.join(problems)}")
        elif value in seen:
            errors.append(f"{path}: Duplicate value: {quote(value)}")
        else:
            seen.add(value)
    return errors


def load(doc: dict[str, Any] | None) -> PodSecurityConfig:
    if doc is None:
        return PodSecurityConfig()
    if doc.get("kind") != "PodSecurityConfiguration" or doc.get("apiVersion") not in API_VERSIONS:
        raise ConfigError(f"PodSecurity configuration error: expected a PodSecurityConfiguration of "
                          f"{' or '.join(API_VERSIONS)}, got kind {doc.get('kind')!r} of {doc.get('apiVersion')!r}")
    defaults = doc.get("defaults") or {}
    errors: list[str] = []
    modes: dict[str, LevelVersion] = {}
    # kube checks enforce, warn, audit in this order
    for mode in ("enforce", "warn", "audit"):
        level_text = str(defaults.get(mode) or Level.PRIVILEGED)
        version_text = str(defaults.get(f"{mode}-version") or "latest")
        level, version = parse_level(level_text), parse_version(version_text)
        if level is None:
            errors.append(f"defaults.{mode}: Invalid value: {quote(level_text)}: {LEVEL_ERROR}")
        if version is None:
            errors.append(f"defaults.{mode}-version: Invalid value: {quote(version_text)}: {VERSION_ERROR}")
        if level is not None and version is not None:
            modes[mode] = LevelVersion(level, version)
    exemptions = doc.get("exemptions") or {}
    namespaces, classes, users = (_strings(exemptions, k) for k in ("namespaces", "runtimeClasses", "usernames"))
    errors += _exemption_errors("namespaces", namespaces, "label")
    errors += _exemption_errors("runtimeClasses", classes, "subdomain")
    errors += _exemption_errors("usernames", users, None)
    if errors:
        raise ConfigError(f"PodSecurity invalid: {aggregate(errors)}")
    return PodSecurityConfig(Policy(**{m: modes[m] for m in MODES}),
                             Exemptions(frozenset(users), frozenset(namespaces), frozenset(classes)))
