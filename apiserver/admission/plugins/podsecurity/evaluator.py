"""The checks of each level and policy version, run in kube's order: at baseline the baseline checks, at
restricted the restricted checks and the baseline checks no restricted check replaces; baseline checks first,
each group by check id."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from apiserver.admission.plugins.podsecurity.levels import MAX_MINOR, Level, LevelVersion
from apiserver.admission.plugins.podsecurity.result import CheckResult, Verdict, aggregate
from apiserver.api.meta.types import Obj

CheckFn = Callable[[Obj, Obj], CheckResult]


@dataclass(frozen=True)
class VersionedCheck:
    """One revision of a check: it applies from `minimum` (a v1 minor) until the check's next revision."""
    minimum: int
    check: CheckFn
    # baseline checks this restricted revision makes redundant, left out at restricted
    overrides: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    id: str
    level: Level
    versions: tuple[VersionedCheck, ...]

    def at(self, minor: int) -> VersionedCheck | None:
        applicable = [v for v in self.versions if v.minimum <= minor]
        return applicable[-1] if applicable else None


class Evaluator:
    def __init__(self, checks: Sequence[Check]) -> None:
        baseline = sorted((c for c in checks if c.level is Level.BASELINE), key=lambda c: c.id)
        restricted = sorted((c for c in checks if c.level is Level.RESTRICTED), key=lambda c: c.id)
        self._baseline: dict[int, list[CheckFn]] = {}
        self._restricted: dict[int, list[CheckFn]] = {}
        for minor in range(MAX_MINOR + 1):
            base = [(c.id, v) for c in baseline if (v := c.at(minor))]
            strict = [v for c in restricted if (v := c.at(minor))]
            overridden = {o for v in strict for o in v.overrides}
            self._baseline[minor] = [v.check for _, v in base]
            self._restricted[minor] = [v.check for cid, v in base if cid not in overridden] + [v.check for v in strict]

    def evaluate(self, lv: LevelVersion, meta: Obj, spec: Obj) -> Verdict:
        if lv.level is Level.PRIVILEGED:
            return Verdict()
        minor = lv.version.effective_minor()
        table = self._baseline if lv.level is Level.BASELINE else self._restricted
        return aggregate([check(meta, spec) for check in table[minor]])
