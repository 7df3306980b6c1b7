"""metav1.LabelSelector validation with kube-apiserver's field paths and messages (apimachinery's
pkg/apis/meta/v1/validation), shared by the kinds that embed selectors as data (NetworkPolicy peers, ClusterRole
aggregation rules)."""
from __future__ import annotations

from typing import Any

from apiserver.api.meta.errors import Cause
from apiserver.api.meta.labels import label_value_errors, qualified_name_errors
from apiserver.api.validation.kinds import invalid, required

_SET_OPERATORS = ("In", "NotIn")
_EXISTENCE_OPERATORS = ("Exists", "DoesNotExist")


def label_map(labels: Any, path: str) -> list[Cause]:
    """A label map: each key a qualified name, each value a label value (Go walks its map in random order; sorted
    keys keep the causes stable)."""
    if not isinstance(labels, dict):
        return []
    causes: list[Cause] = []
    for key in sorted(labels):
        causes += [invalid(path, key, message) for message in qualified_name_errors(key)]
        value = labels[key]
        if isinstance(value, str):
            causes += [invalid(path, value, message) for message in label_value_errors(value)]
    return causes


def _requirement(requirement: Any, path: str, allow_invalid_values: bool) -> list[Cause]:
    if not isinstance(requirement, dict):
        requirement = {}
    causes: list[Cause] = []
    operator = requirement.get("operator") or ""
    values = requirement.get("values") or []
    if operator in _SET_OPERATORS:
        if not values:
            causes.append(required(f"{path}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
    elif operator in _EXISTENCE_OPERATORS:
        if values:
            causes.append(Cause("FieldValueForbidden", "Forbidden: may not be specified when `operator` is 'Exists' "
                                "or 'DoesNotExist'", f"{path}.values"))
    else:
        causes.append(invalid(f"{path}.operator", operator, "not a valid selector operator"))
    key = requirement.get("key") or ""
    causes += [invalid(f"{path}.key", key, message) for message in qualified_name_errors(key)]
    if not allow_invalid_values:
        for i, value in enumerate(values):
            if isinstance(value, str):
                causes += [invalid(f"{path}.values[{i}]", value, message) for message in label_value_errors(value)]
    return causes


def label_selector(selector: Any, path: str, allow_invalid_values: bool = False) -> list[Cause]:
    """kube's ValidateLabelSelector; `allow_invalid_values` lets label values through that a stored object already
    holds (kube keeps accepting them on update)."""
    if not isinstance(selector, dict):
        return []
    causes = label_map(selector.get("matchLabels"), f"{path}.matchLabels")
    for i, requirement in enumerate(selector.get("matchExpressions") or []):
        causes += _requirement(requirement, f"{path}.matchExpressions[{i}]", allow_invalid_values)
    return causes
