"""RBAC's pure logic: whether a PolicyRule allows a request, whether a subject names a user, and whether one set
of rules covers another (escalation prevention), with kube's rendering of the rules that are missing."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from apiserver.api.meta.goformat import quote
from apiserver.request.info import RequestInfo
from apiserver.request.user import UserInfo, service_account_username

RBAC_GROUP = "rbac.authorization.k8s.io"
ALL = "*"


@dataclass(frozen=True, slots=True)
class Rule:
    verbs: tuple[str, ...]
    api_groups: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    resource_names: tuple[str, ...] = ()
    non_resource_urls: tuple[str, ...] = ()

    @classmethod
    def parse(cls, rule: dict[str, Any]) -> Rule:
        return cls(tuple(rule.get("verbs") or ()), tuple(rule.get("apiGroups") or ()),
                   tuple(rule.get("resources") or ()), tuple(rule.get("resourceNames") or ()),
                   tuple(rule.get("nonResourceURLs") or ()))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"verbs": list(self.verbs)}
        for key, values in (("apiGroups", self.api_groups), ("resources", self.resources),
                            ("resourceNames", self.resource_names), ("nonResourceURLs", self.non_resource_urls)):
            if values:
                out[key] = list(values)
        return out

    def compact_string(self) -> str:
        """rbacv1helpers.CompactString: the non-empty fields in a fixed order, each a quoted Go list."""
        parts = [f"{name}:{go_strings(values)}" for name, values in (
            ("APIGroups", self.api_groups), ("Resources", self.resources), ("NonResourceURLs", self.non_resource_urls),
            ("ResourceNames", self.resource_names), ("Verbs", self.verbs)) if values]
        return "{" + ", ".join(parts) + "}"


def go_strings(values: Iterable[str]) -> str:
    """A []string as Go's %q prints it: ["a" "b"]."""
    return "[" + " ".join(quote(v) for v in values) + "]"


def parse_rules(rules: Iterable[dict[str, Any]] | None) -> tuple[Rule, ...]:
    return tuple(Rule.parse(r) for r in rules or () if isinstance(r, dict))


def _verb_matches(rule: Rule, verb: str) -> bool:
    return ALL in rule.verbs or verb in rule.verbs


def _group_matches(rule: Rule, group: str) -> bool:
    return ALL in rule.api_groups or group in rule.api_groups


def _resource_matches(rule: Rule, combined: str, subresource: str) -> bool:
    for resource in rule.resources:
        if resource == ALL or resource == combined:
            return True
        # "*/scale" names one subresource of every resource
        if subresource and resource == f"*/{subresource}":
            return True
    return False


def _name_matches(rule: Rule, name: str) -> bool:
    return not rule.resource_names or name in rule.resource_names


def _url_matches(rule: Rule, path: str) -> bool:
    for url in rule.non_resource_urls:
        if url == ALL or url == path or (url.endswith(ALL) and path.startswith(url[:-1])):
            return True
    return False


def allows(rule: Rule, info: RequestInfo) -> bool:
    if not _verb_matches(rule, info.verb):
        return False
    if not info.is_resource_request:
        return _url_matches(rule, info.path)
    combined = f"{info.resource}/{info.subresource}" if info.subresource else info.resource
    return (_group_matches(rule, info.api_group) and _resource_matches(rule, combined, info.subresource)
            and _name_matches(rule, info.name))


def subject_keys(subject: dict[str, Any], binding_namespace: str) -> str | None:
    """The index key a subject is found under: "u:<user name>" or "g:<group>"; None for a subject that can
    never match (a ServiceAccount of a ClusterRoleBinding without a namespace, an unknown kind)."""
    kind, name = subject.get("kind"), subject.get("name") or ""
    if kind == "User":
        return f"u:{name}"
    if kind == "Group":
        return f"g:{name}"
    if kind == "ServiceAccount":
        namespace = subject.get("namespace") or binding_namespace
        return f"u:{service_account_username(namespace, name)}" if namespace else None
    return None


def user_keys(user: UserInfo) -> list[str]:
    return [f"u:{user.name}"] + [f"g:{group}" for group in user.groups]


# --- escalation: does one set of rules cover another (kube's validation.Covers) ----------------------------

def _breakdown(rule: Rule) -> list[Rule]:
    """One rule per verb × group × resource × name (or verb × URL), the atoms the cover check compares."""
    atoms: list[Rule] = []
    for group in rule.api_groups:
        for resource in rule.resources:
            for verb in rule.verbs:
                for name in rule.resource_names or ("",):
                    atoms.append(Rule((verb,), (group,), (resource,), (name,) if name else ()))
    for url in rule.non_resource_urls:
        for verb in rule.verbs:
            atoms.append(Rule((verb,), non_resource_urls=(url,)))
    return atoms


def _has_all(values: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    return ALL in values or all(v in values for v in wanted)


def _resources_cover(owner: Rule, wanted: tuple[str, ...]) -> bool:
    if ALL in owner.resources:
        return True
    for resource in wanted:
        if resource in owner.resources:
            continue
        # "*/sub" held covers "x/sub" asked
        if "/" in resource and f"*/{resource.split('/', 1)[1]}" in owner.resources:
            continue
        return False
    return True


def _urls_cover(owner: Rule, wanted: tuple[str, ...]) -> bool:
    for url in wanted:
        if not any(held == url or (held.endswith(ALL) and url.startswith(held[:-1])) for held in
                   owner.non_resource_urls):
            return False
    return True


def _rule_covers(owner: Rule, wanted: Rule) -> bool:
    return (_has_all(owner.verbs, wanted.verbs) and _has_all(owner.api_groups, wanted.api_groups)
            and _resources_cover(owner, wanted.resources) and _urls_cover(owner, wanted.non_resource_urls)
            and _names_cover(owner, wanted))


def _names_cover(owner: Rule, wanted: Rule) -> bool:
    # a rule for every name is covered only by another rule for every name
    if not wanted.resource_names:
        return not owner.resource_names
    return not owner.resource_names or all(n in owner.resource_names for n in wanted.resource_names)


def missing_rules(owner: Iterable[Rule], wanted: Iterable[Rule]) -> list[Rule]:
    """The atoms of `wanted` that no rule of `owner` covers."""
    held = list(owner)
    return [atom for rule in wanted for atom in _breakdown(rule) if not any(_rule_covers(o, atom) for o in held)]


def compact(rules: list[Rule]) -> list[Rule]:
    """validation.CompactRules: simple resource atoms (one group, one resource, at most one name) that differ
    only in their verbs become one rule with all of them."""
    merged: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}
    out: list[Rule] = []
    for rule in rules:
        if (len(rule.api_groups) == 1 and len(rule.resources) == 1 and len(rule.resource_names) <= 1
                and not rule.non_resource_urls):
            merged.setdefault((rule.api_groups[0], rule.resources[0], rule.resource_names), []).extend(rule.verbs)
        else:
            out.append(rule)
    return out + [Rule(tuple(verbs), (group,), (resource,), names)
                  for (group, resource, names), verbs in merged.items()]
