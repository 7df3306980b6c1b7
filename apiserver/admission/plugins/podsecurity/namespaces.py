"""What PodSecurity tells a client that tightens a namespace's enforce level: which existing pods the new level
would refuse, grouped by the reasons they share (kube's EvaluatePodsInNamespace)."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from apiserver.admission.plugins.podsecurity.evaluator import Evaluator
from apiserver.admission.plugins.podsecurity.levels import LevelVersion
from apiserver.api.meta.goformat import quote
from apiserver.api.meta.types import Obj

# kube checks at most this many pods, for at most this long
MAX_PODS = 3000
TIMEOUT_SECONDS = 1.0


@dataclass
class _Group:
    # the alphabetically first pod with these reasons
    first: str
    count: int = 1

    def prefix(self) -> str:
        if self.count == 1:
            return self.first
        others = self.count - 1
        return f"{self.first} (and {others} other {'pod' if others == 1 else 'pods'})"


def _controller_uid(pod: Obj) -> str | None:
    for ref in (pod.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller") is True:
            return str(ref.get("uid", ""))
    return None


def prioritized(pods: list[Obj], exempt_runtime_class: Callable[[Obj], bool]) -> list[Obj]:
    """Exempt pods dropped; one pod per controller first, then the rest of each controller's replicas (they are
    likely to share a verdict, so a sample of distinct pods finds more within the limits)."""
    first: list[Obj] = []
    duplicates: list[Obj] = []
    seen: set[str] = set()
    for pod in pods:
        if exempt_runtime_class(pod):
            continue
        uid = _controller_uid(pod)
        if uid is not None and uid in seen:
            duplicates.append(pod)
            continue
        if uid is not None:
            seen.add(uid)
        first.append(pod)
    return first + duplicates


def existing_pod_warnings(evaluator: Evaluator, namespace: str, enforce: LevelVersion, pods: list[Obj]) -> list[str]:
    total = len(pods)
    pods = pods[:MAX_PODS]
    checked = len(pods)
    deadline = time.monotonic() + TIMEOUT_SECONDS
    groups: dict[str, _Group] = {}
    for i, pod in enumerate(pods):
        verdict = evaluator.evaluate(enforce, pod.get("metadata") or {}, pod.get("spec") or {})
        if not verdict.allowed:
            name = (pod.get("metadata") or {}).get("name", "")
            group = groups.get(verdict.reason())
            if group is None:
                groups[verdict.reason()] = _Group(name)
            else:
                group.count += 1
                group.first = min(group.first, name)
        if time.monotonic() > deadline:
            checked = i + 1
            break
    warnings = []
    if checked < total:
        warnings.append(f"new PodSecurity enforce level only checked against the first {checked} of {total} "
                        "existing pods")
    if groups:
        warnings.append(f"existing pods in namespace {quote(namespace)} violate the new PodSecurity enforce level "
                        f"{quote(str(enforce))}")
    return warnings + sorted(f"{group.prefix()}: {reason}" for reason, group in groups.items())
