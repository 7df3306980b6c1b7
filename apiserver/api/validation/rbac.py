"""Validation of rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding and ClusterRoleBinding, with
kube-apiserver 1.32's field paths and messages (pkg/apis/rbac/validation).

kube's RBAC strategies validate an update by running the create rules twice (once directly, once inside the
update rules), so every problem of an updated object is reported twice; the `*_update` validators do the same.
"""
from __future__ import annotations

from typing import Any

from apiserver.api.meta.errors import Cause
from apiserver.api.meta.goformat import quote, string_slice
from apiserver.api.meta.labels import SelectorParseError, selector_from_label_selector_object
from apiserver.api.meta.types import Obj
from apiserver.api.validation.kinds import invalid, not_supported, required
from apiserver.api.validation.labelselector import label_selector
from apiserver.api.validation.metadata import name_errors

RBAC_GROUP = "rbac.authorization.k8s.io"
_SUBJECT_KINDS = ("ServiceAccount", "User", "Group")


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> list[str]:
    return value if isinstance(value, list) else []


def _rule(rule: Obj, namespaced: bool, path: str) -> list[Cause]:
    causes: list[Cause] = []
    if not _strings(rule.get("verbs")):
        causes.append(required(f"{path}.verbs", "verbs must contain at least one value"))
    urls = _strings(rule.get("nonResourceURLs"))
    if urls:
        rendered = string_slice(urls)
        if namespaced:
            causes.append(Cause("FieldValueInvalid", f"Invalid value: {rendered}: namespaced rules cannot apply to "
                                "non-resource URLs", f"{path}.nonResourceURLs"))
        if any(_strings(rule.get(field)) for field in ("apiGroups", "resources", "resourceNames")):
            causes.append(Cause("FieldValueInvalid", f"Invalid value: {rendered}: rules cannot apply to both regular "
                                "resources and non-resource URLs", f"{path}.nonResourceURLs"))
        return causes
    if not _strings(rule.get("apiGroups")):
        causes.append(required(f"{path}.apiGroups", "resource rules must supply at least one api group"))
    if not _strings(rule.get("resources")):
        causes.append(required(f"{path}.resources", "resource rules must supply at least one resource"))
    return causes


def _rules(obj: Obj, namespaced: bool) -> list[Cause]:
    causes: list[Cause] = []
    for i, rule in enumerate(obj.get("rules") or []):
        causes += _rule(_dict(rule), namespaced, f"rules[{i}]")
    return causes


def role(obj: Obj) -> list[Cause]:
    return _rules(obj, True)


def role_update(new: Obj, old: Obj) -> list[Cause]:
    return role(new) + role(new)


def _aggregation(obj: Obj, allow_invalid_values: bool) -> list[Cause]:
    aggregation = obj.get("aggregationRule")
    if aggregation is None:
        return []
    path = "aggregationRule.clusterRoleSelectors"
    selectors = _dict(aggregation).get("clusterRoleSelectors") or []
    causes = [] if selectors else [required(path, "at least one clusterRoleSelector required if aggregationRule is "
                                            "non-nil")]
    for i, selector in enumerate(selectors):
        causes += label_selector(selector, f"{path}[{i}]", allow_invalid_values)
        try:
            selector_from_label_selector_object(_dict(selector))
        except SelectorParseError:
            # kube reports the selector it failed to build, which is nil: Go prints it as "null"
            causes.append(invalid(f"{path}[{i}]", "null", "invalid label selector."))
    return causes


def cluster_role(obj: Obj, allow_invalid_values: bool = False) -> list[Cause]:
    return _rules(obj, False) + _aggregation(obj, allow_invalid_values)


def cluster_role_update(new: Obj, old: Obj) -> list[Cause]:
    """Invalid label values stay allowed while the stored aggregation rule has a selector kube finds fault with."""
    old_selectors = _dict(old.get("aggregationRule")).get("clusterRoleSelectors") or []
    allow = any(label_selector(selector, "") for selector in old_selectors)
    return cluster_role(new, allow) + cluster_role(new, allow)


def _role_ref(obj: Obj, kinds: tuple[str, ...]) -> list[Cause]:
    ref = _dict(obj.get("roleRef"))
    causes: list[Cause] = []
    api_group = ref.get("apiGroup") or ""
    if api_group != RBAC_GROUP:
        causes.append(not_supported("roleRef.apiGroup", api_group, (RBAC_GROUP,)))
    kind = ref.get("kind") or ""
    if kind not in kinds:
        causes.append(not_supported("roleRef.kind", kind, kinds))
    name = ref.get("name") or ""
    if not name:
        causes.append(required("roleRef.name"))
    else:
        causes += [invalid("roleRef.name", name, m) for m in name_errors(name, "path")]
    return causes


def _subject(subject: Obj, namespaced: bool, path: str) -> list[Cause]:
    causes: list[Cause] = []
    name, kind, api_group = subject.get("name") or "", subject.get("kind") or "", subject.get("apiGroup") or ""
    if not name:
        causes.append(required(f"{path}.name"))
    if kind == "ServiceAccount":
        if name:
            causes += [invalid(f"{path}.name", name, m) for m in name_errors(name, "subdomain")]
        if api_group:
            causes.append(not_supported(f"{path}.apiGroup", api_group, ("",)))
        # a cluster-wide binding cannot take the namespace from itself
        if not namespaced and not subject.get("namespace"):
            causes.append(required(f"{path}.namespace"))
    elif kind in ("User", "Group"):
        if api_group != RBAC_GROUP:
            causes.append(not_supported(f"{path}.apiGroup", api_group, (RBAC_GROUP,)))
    else:
        causes.append(not_supported(f"{path}.kind", kind, _SUBJECT_KINDS))
    return causes


def _binding(obj: Obj, namespaced: bool) -> list[Cause]:
    causes = _role_ref(obj, ("Role", "ClusterRole") if namespaced else ("ClusterRole",))
    for i, subject in enumerate(obj.get("subjects") or []):
        causes += _subject(_dict(subject), namespaced, f"subjects[{i}]")
    return causes


def _role_ref_fixed(new: Obj, old: Obj) -> list[Cause]:
    """A binding's roleRef never changes: binding another role means a new binding (and a new escalation check)."""
    def ref(obj: Obj) -> tuple[str, str, str]:
        value = _dict(obj.get("roleRef"))
        return value.get("apiGroup") or "", value.get("kind") or "", value.get("name") or ""

    if ref(new) == ref(old):
        return []
    api_group, kind, name = ref(new)
    rendered = f"rbac.RoleRef{{APIGroup:{quote(api_group)}, Kind:{quote(kind)}, Name:{quote(name)}}}"
    return [Cause("FieldValueInvalid", f"Invalid value: {rendered}: cannot change roleRef", "roleRef")]


def role_binding(obj: Obj) -> list[Cause]:
    return _binding(obj, True)


def role_binding_update(new: Obj, old: Obj) -> list[Cause]:
    return role_binding(new) + role_binding(new) + _role_ref_fixed(new, old)


def cluster_role_binding(obj: Obj) -> list[Cause]:
    return _binding(obj, False)


def cluster_role_binding_update(new: Obj, old: Obj) -> list[Cause]:
    return cluster_role_binding(new) + cluster_role_binding(new) + _role_ref_fixed(new, old)
