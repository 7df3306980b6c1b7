"""The ABAC mode: --authorization-policy-file holds one JSON policy per line; the first policy that matches the
request allows it, and none matching is no opinion. Lines are `abac.authorization.kubernetes.io/v1beta1`
Policy objects, or kube's older unversioned form, converted as kube converts it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from apiserver.authz.authorizer import Attributes, Decision
from apiserver.request.user import AUTHENTICATED

API_VERSION = "abac.authorization.kubernetes.io/v1beta1"
READ_VERBS = frozenset({"get", "list", "watch"})
_STRING_FIELDS = ("user", "group", "apiGroup", "namespace", "resource", "nonResourcePath")


class PolicyFileError(Exception):
    pass


@dataclass(frozen=True)
class Policy:
    user: str = ""
    group: str = ""
    readonly: bool = False
    api_group: str = ""
    namespace: str = ""
    resource: str = ""
    non_resource_path: str = ""

    def matches(self, attributes: Attributes) -> bool:
        return (self._subject_matches(attributes) and self._verb_matches(attributes)
                and (self._resource_matches(attributes) or self._non_resource_matches(attributes)))

    def _subject_matches(self, attributes: Attributes) -> bool:
        # a policy must name a user or a group; each one it names must match
        matched = False
        if self.user:
            if self.user != "*" and self.user != attributes.user.name:
                return False
            matched = True
        if self.group:
            if self.group != "*" and self.group not in attributes.user.groups:
                return False
            matched = True
        return matched

    def _verb_matches(self, attributes: Attributes) -> bool:
        # every policy grants reads; only one that is not read-only grants the rest
        return attributes.info.verb in READ_VERBS or not self.readonly

    def _resource_matches(self, attributes: Attributes) -> bool:
        info = attributes.info
        return (info.is_resource_request and self.namespace in ("*", info.namespace)
                and self.resource in ("*", info.resource) and self.api_group in ("*", info.api_group))

    def _non_resource_matches(self, attributes: Attributes) -> bool:
        info = attributes.info
        if info.is_resource_request:
            return False
        pattern = self.non_resource_path
        return (pattern in ("*", info.path)
                or (pattern.endswith("*") and info.path.startswith(pattern.rstrip("*"))))


def _fields(spec: dict[str, Any]) -> dict[str, Any]:
    for name in _STRING_FIELDS:
        if not isinstance(spec.get(name, ""), str):
            raise ValueError(f"{name} must be a string")
    if not isinstance(spec.get("readonly", False), bool):
        raise ValueError("readonly must be a boolean")
    return {"user": spec.get("user", ""), "group": spec.get("group", ""), "readonly": spec.get("readonly", False),
            "api_group": spec.get("apiGroup", ""), "namespace": spec.get("namespace", ""),
            "resource": spec.get("resource", ""), "non_resource_path": spec.get("nonResourcePath", "")}


def _versioned(document: dict[str, Any]) -> Policy:
    spec = document.get("spec")
    if not isinstance(spec, dict):
        raise ValueError("spec must be an object")
    fields = _fields(spec)
    if fields["user"] == "*" or fields["group"] == "*":
        # kube's v1beta1 conversion: a wildcard subject means every authenticated user
        fields.update(user="", group=AUTHENTICATED)
    return Policy(**fields)


def _unversioned(document: dict[str, Any]) -> Policy:
    """kube's original policy form, converted as kube converts it to v1beta1 semantics."""
    fields = _fields(document)
    if (not fields["user"] and not fields["group"]) or "*" in (fields["user"], fields["group"]):
        fields.update(user="", group=AUTHENTICATED)
    fields["resource"] = fields["resource"] or "*"
    fields["namespace"] = fields["namespace"] or "*"
    fields.update(api_group="*", non_resource_path="*")
    return Policy(**fields)


def parse_policy_line(line: bytes) -> Policy:
    document = orjson.loads(line)
    if not isinstance(document, dict):
        raise ValueError("a policy must be a JSON object")
    version, kind = document.get("apiVersion"), document.get("kind")
    if not version and not kind:
        return _unversioned(document)
    if version != API_VERSION or kind != "Policy":
        raise ValueError(f'no kind "{kind}" is registered for version "{version}"')
    return _versioned(document)


def load_policy_file(path: Path) -> list[Policy]:
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise PolicyFileError(f"error reading policy file {path}: {exc.strerror}") from None
    policies = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(b"#"):
            continue
        try:
            policies.append(parse_policy_line(line))
        except (ValueError, TypeError) as exc:
            raise PolicyFileError(f"error reading policy file {path}, line {number}: "
                                  f"{line.decode(errors='replace')}: {exc}") from None
    return policies


class ABACAuthorizer:
    def __init__(self, policies: list[Policy]) -> None:
        self.policies = policies

    async def authorize(self, attributes: Attributes) -> tuple[Decision, str]:
        if any(policy.matches(attributes) for policy in self.policies):
            return Decision.ALLOW, ""
        return Decision.NO_OPINION, "No policy matched."
