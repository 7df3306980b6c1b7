"""Pod tolerations as kube's admission plugins add and merge them (its core helper's AddOrUpdateTolerationInPod
and pkg/util/tolerations' MergeTolerations), on tolerations as JSON objects."""
from __future__ import annotations

from typing import Any

from apiserver.api.meta.types import Obj

_MATCHED = ("key", "operator", "value", "effect")


def _text(toleration: Obj, key: str) -> str:
    return str(toleration.get(key) or "")


def _seconds(toleration: Obj) -> Any:
    return toleration.get("tolerationSeconds")


def same(a: Obj, b: Obj) -> bool:
    """Semantic equality: an absent string is the empty one."""
    return all(_text(a, key) == _text(b, key) for key in _MATCHED) and _seconds(a) == _seconds(b)


def _matches(a: Obj, b: Obj) -> bool:
    """kube's MatchToleration: the same key, operator, value and effect, whatever the seconds."""
    return all(_text(a, key) == _text(b, key) for key in _MATCHED)


def add_or_update(spec: Obj, toleration: Obj) -> None:
    """Puts `toleration` in place of the one matching it, or after the others when none does."""
    current = [t for t in spec.get("tolerations") or [] if isinstance(t, dict)]
    for i, existing in enumerate(current):
        if _matches(toleration, existing):
            if same(toleration, existing):
                return
            current[i] = toleration
            break
    else:
        current.append(toleration)
    spec["tolerations"] = current


def _is_superset(ss: Obj, t: Obj) -> bool:
    """Whether `ss` tolerates every taint `t` does."""
    if same(ss, t):
        return True
    key, ss_key, ss_operator = _text(t, "key"), _text(ss, "key"), _text(ss, "operator")
    # an empty key with Exists matches every key
    if key != ss_key and (ss_key or ss_operator != "Exists"):
        return False
    effect, ss_effect = _text(t, "effect"), _text(ss, "effect")
    if effect != ss_effect and ss_effect:
        return False
    if ss_effect == "NoExecute" and _seconds(ss) is not None:
        seconds, ss_seconds = _seconds(t), _seconds(ss)
        # a value that is no number is validation's to refuse; it is covered by nothing meanwhile
        if not (isinstance(seconds, int) and isinstance(ss_seconds, int)) or seconds > ss_seconds:
            return False
    if ss_operator in ("Equal", ""):
        return _text(t, "operator") == "Equal" and _text(t, "value") == _text(ss, "value")
    return ss_operator == "Exists"


def merge(first: list[Obj], second: list[Obj]) -> list[Obj]:
    """Both lists in order, without the tolerations another one already covers (of two equal ones, the first
    stays)."""
    every = first + second
    merged: list[Obj] = []
    for i, toleration in enumerate(every):
        if any(_is_superset(kept, toleration) for kept in merged):
            continue
        if any(not same(toleration, later) and _is_superset(later, toleration) for later in every[i + 1:]):
            continue
        merged.append(toleration)
    return merged


def whitelisted(items: list[Obj], whitelist: list[Obj]) -> bool:
    """kube's VerifyAgainstWhitelist: every toleration is covered by one of the whitelist's; an empty whitelist
    allows all."""
    return not whitelist or all(any(_is_superset(w, t) for w in whitelist) for t in items)
