"""What a check says about a pod, how several checks' answers read together, and the small helpers the checks
share to word their details as kube does."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from apiserver.api.meta.types import Obj


@dataclass(frozen=True)
class CheckResult:
    allowed: bool = True
    # short, always shown ("host ports"); required when not allowed
    reason: str = ""
    # the offending values, shown in parentheses after the reason when one pod is checked
    detail: str = ""


ALLOWED = CheckResult()


def forbid(reason: str, detail: str = "") -> CheckResult:
    return CheckResult(False, reason, detail)


@dataclass(frozen=True)
class Verdict:
    """Every forbidding check's reason and detail, in the evaluator's order."""
    reasons: tuple[str, ...] = ()
    details: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.reasons

    def reason(self) -> str:
        """The reasons alone, as the namespace label check lists them per pod."""
        return ", ".join(self.reasons)

    def detail(self) -> str:
        """Each reason with its detail in parentheses: what a refused or warned pod is told."""
        return ", ".join(f"{r} ({d})" if d else r for r, d in zip(self.reasons, self.details, strict=True))


def aggregate(results: list[CheckResult]) -> Verdict:
    bad = [r for r in results if not r.allowed]
    # a check that forbids without a reason still shows as a reason
    return Verdict(tuple(r.reason or "unknown forbidden reason" for r in bad), tuple(r.detail for r in bad))


def pluralize(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def join_quote(items: list[str]) -> str:
    return "".join(['"', '", "'.join(items), '"']) if items else ""


def containers_phrase(names: list[str]) -> str:
    """`container "a"` or `containers "a", "b"`."""
    return f"{pluralize('container', 'containers', len(names))} {join_quote(names)}"


def containers(spec: Obj) -> Iterator[Obj]:
    """Init containers, then containers, then ephemeral containers, as kube visits them."""
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(key) or []:
            if isinstance(container, dict):
                yield container


def offenders(spec: Obj, offending: Callable[[Obj], list[str]]) -> tuple[list[str], set[str]]:
    """The containers for which `offending` finds forbidden values, and all those values."""
    names: list[str] = []
    values: set[str] = set()
    for c in containers(spec):
        found = offending(c)
        if found:
            names.append(c.get("name", ""))
            values.update(found)
    return names, values


def security_context(holder: Obj) -> Obj | None:
    """A pod spec's or container's securityContext, None when unset."""
    sc = holder.get("securityContext")
    return sc if isinstance(sc, dict) else None


def sc_field(holder: Obj, *path: str) -> Any:
    """A value under securityContext (None when it or anything on the way is unset)."""
    cur: Any = security_context(holder)
    for part in path:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def is_windows(spec: Obj) -> bool:
    return ((spec.get("os") or {}).get("name")) == "windows"
