"""Pod Security Standards levels and policy versions, and the policy a namespace's labels ask for (kube's
pod-security-admission api package)."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from apiserver.api.meta.errors import Cause
from apiserver.api.meta.goformat import quote

LABEL_PREFIX = "pod-security.kubernetes.io/"
MODES = ("enforce", "audit", "warn")
# the newest policy version kube 1.32 knows; newer versions and "latest" evaluate as this one
MAX_MINOR = 32

_VERSION = re.compile(r"^v1\.([0-9]|[1-9][0-9]*)$")


class Level(StrEnum):
    PRIVILEGED = "privileged"
    BASELINE = "baseline"
    RESTRICTED = "restricted"


_STRICTNESS = {Level.PRIVILEGED: 0, Level.BASELINE: 1, Level.RESTRICTED: 2}


@dataclass(frozen=True, order=False)
class Version:
    """v1.<minor>, or `latest` (minor None)."""
    minor: int | None = None

    @property
    def latest(self) -> bool:
        return self.minor is None

    def __str__(self) -> str:
        return "latest" if self.minor is None else f"v1.{self.minor}"

    def effective_minor(self) -> int:
        """The policy version the checks run at: anything newer than kube's newest is its newest."""
        return MAX_MINOR if self.minor is None else min(self.minor, MAX_MINOR)


LATEST = Version()


@dataclass(frozen=True)
class LevelVersion:
    level: Level
    version: Version

    def __str__(self) -> str:
        return f"{self.level}:{self.version}"

    def equivalent(self, other: LevelVersion) -> bool:
        """Same effect: the same level, and the same version unless the level is privileged (which checks nothing)."""
        return self.level == other.level and (self.level is Level.PRIVILEGED or self.version == other.version)


PRIVILEGED_LATEST = LevelVersion(Level.PRIVILEGED, LATEST)


@dataclass(frozen=True)
class Policy:
    enforce: LevelVersion = PRIVILEGED_LATEST
    audit: LevelVersion = PRIVILEGED_LATEST
    warn: LevelVersion = PRIVILEGED_LATEST

    def fully_privileged(self) -> bool:
        return all(lv.level is Level.PRIVILEGED for lv in (self.enforce, self.audit, self.warn))

    def equivalent(self, other: Policy) -> bool:
        return (self.enforce.equivalent(other.enforce) and self.audit.equivalent(other.audit)
                and self.warn.equivalent(other.warn))


def compare_levels(a: Level, b: Level) -> int:
    """-1, 0 or 1 as `a` is less strict than, as strict as, or stricter than `b`."""
    return (_STRICTNESS[a] > _STRICTNESS[b]) - (_STRICTNESS[a] < _STRICTNESS[b])


LEVEL_ERROR = "must be one of " + ", ".join(Level)
VERSION_ERROR = 'must be "latest" or "v1.x"'


def parse_level(text: str) -> Level | None:
    try:
        return Level(text)
    except ValueError:
        return None


def parse_version(text: str) -> Version | None:
    if text == "latest":
        return LATEST
    match = _VERSION.match(text)
    return Version(int(match.group(1))) if match else None


def _invalid_label(label: str, value: str, detail: str) -> Cause:
    return Cause("FieldValueInvalid", f"Invalid value: {quote(value)}: {detail}", f"metadata.labels[{label}]")


def policy_from_labels(labels: dict[str, str] | None, defaults: Policy) -> tuple[Policy, list[Cause]]:
    """The namespace's policy: each label over the defaults. A bad enforce level enforces restricted, a bad audit
    or warn level is privileged (they fail open), a bad version is latest; the errors say which labels were bad."""
    policy = defaults
    errors: list[Cause] = []
    for mode in MODES:
        current: LevelVersion = getattr(policy, mode)
        level_label, version_label = LABEL_PREFIX + mode, LABEL_PREFIX + mode + "-version"
        level, version = current.level, current.version
        if labels and level_label in labels:
            parsed = parse_level(labels[level_label])
            if parsed is None:
                errors.append(_invalid_label(level_label, labels[level_label], LEVEL_ERROR))
                level = Level.RESTRICTED if mode == "enforce" else Level.PRIVILEGED
            else:
                level = parsed
        if labels and version_label in labels:
            parsed_version = parse_version(labels[version_label])
            if parsed_version is None:
                errors.append(_invalid_label(version_label, labels[version_label], VERSION_ERROR))
            version = parsed_version or LATEST
        policy = replace(policy, **{mode: LevelVersion(level, version)})
    return policy, errors


def field_error_text(cause: Cause) -> str:
    return f"{cause.field}: {cause.message}"
