"""One fuzz run from start to end: the documents, the run's namespace and the sentinels, a snapshot, the requests,
the checks that nothing outside the run's scope changed, and the clean-up."""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from tools.fuzz import intact
from tools.fuzz.runner import Budget, Report, Runner
from tools.fuzz.scope import Scope, load_documents
from tools.fuzz.target import Target


@dataclass(frozen=True)
class Outcome:
    report: Report
    damage: list[str]       # what the run changed outside its scope, and replicas no longer ready

    @property
    def passed(self) -> bool:
        return not self.report.problems and not self.damage

    def summary(self) -> str:
        lines = [self.report.summary()]
        lines += [f"DAMAGE: {line}" for line in self.damage]
        lines.append("data intact, every replica ready" if not self.damage else
                     f"{len(self.damage)} signs of damage")
        return "\n".join(lines)


def fuzz(target: Target, budget: Budget, seed: int) -> Outcome:
    # the names are the run's own, whatever the seed: a replay may meet what an earlier run left terminating
    scope = Scope(secrets.token_hex(3), random.Random(seed))
    documents = load_documents(target)
    sentinels = intact.Sentinels(scope)
    runner = Runner(target, documents, scope, budget, seed)
    try:
        target.ok("POST", "/api/v1/namespaces",
                  {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": scope.namespace}})
        sentinels.create(target)
        before = intact.snapshot(target, documents, scope)
        report = runner.run()
        damage = intact.unready(target) + sentinels.changed(target) + \
            intact.snapshot_changes(before, intact.snapshot(target, documents, scope))
        return Outcome(report, damage)
    finally:
        # what the runner created so far, even when the run stopped on an error
        intact.clean_up(target, documents, scope, runner.report.created)
        sentinels.remove(target)
