"""The fuzz loop: rounds over every operation of every group-version document, a few schemathesis cases each (positive
ones, and negative ones where the operation has a query or a body to break), until the request or time budget is
spent. Every answer goes through the oracle; the figures count what was sent and what came back."""
from __future__ import annotations

import http.client
import json
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from itertools import zip_longest
from urllib.parse import parse_qsl, urlsplit

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import HypothesisException
from hypothesis.strategies import SearchStrategy
from schemathesis import Case, GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Err

from tools.fuzz import oracle
from tools.fuzz.scope import Document, Operation, Scope
from tools.fuzz.target import Target

# what a problem report keeps of a request body and of an answer
SHOWN = 600
# Python's http.client refuses answers with more than 100 headers; kube-apiserver sends one Warning per unknown
# field of a body (up to 4096 characters of them), and Go's clients take that, so the fuzz client does too
http.client._MAXHEADERS = 10_000  # type: ignore[attr-defined]

Step = tuple[Operation, GenerationMode, SearchStrategy[Case]]


@dataclass(frozen=True)
class Budget:
    requests: int
    seconds: float
    examples: int = 2       # cases per operation and mode in one round


@dataclass(frozen=True)
class Problem:
    what: str
    request: str
    answer: str


@dataclass
class Report:
    tried: int = 0
    by_code: Counter[int] = field(default_factory=Counter)
    by_group: dict[str, Counter[int]] = field(default_factory=dict)
    by_action: dict[str, Counter[int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    created: list[tuple[str, str]] = field(default_factory=list)     # (collection path, name) of cluster scope
    ungenerated: set[str] = field(default_factory=set)
    seconds: float = 0.0

    def record(self, operation: Operation, code: int) -> None:
        self.tried += 1
        self.by_code[code] += 1
        self.by_group.setdefault(operation.group_version, Counter())[code] += 1
        self.by_action.setdefault(operation.action, Counter())[code] += 1

    def summary(self) -> str:
        lines = [f"requests tried: {self.tried} in {self.seconds:.0f} s, "
                 f"{len(self.by_group)} group-versions, {len(self.problems)} problems",
                 f"answers by code: {_codes(self.by_code)}", "by group-version:", *_table(self.by_group),
                 "by action:", *_table(self.by_action)]
        if self.ungenerated:
            lines.append(f"operations schemathesis could not generate for: {', '.join(sorted(self.ungenerated))}")
        for problem in self.problems:
            lines += [f"PROBLEM: {problem.what}", f"  request: {problem.request}", f"  answer:  {problem.answer}"]
        return "\n".join(lines)


def _has_null(value: object) -> bool:
    if isinstance(value, dict):
        return any(_has_null(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_null(v) for v in value)
    return value is None


def _codes(counter: Counter[int]) -> str:
    return "  ".join(f"{code}: {n}" for code, n in sorted(counter.items()))


def _table(rows: dict[str, Counter[int]]) -> list[str]:
    width = max((len(name) for name in rows), default=0)
    return [f"  {name.ljust(width)}  {sum(c.values()):5d}  {_codes(c)}" for name, c in sorted(rows.items())]


class Runner:
    def __init__(self, target: Target, documents: list[Document], scope: Scope, budget: Budget, seed: int) -> None:
        self.target = target
        self.seed = seed
        self.scope = scope
        self.budget = budget
        self.report = Report()
        self.session = requests.Session()
        by_document: list[list[Step]] = []
        for document in documents:
            schema = schemathesis.openapi.from_dict(document.raw)
            found = {(op.method, op.path): op for op in document.operations}
            steps: list[Step] = []
            for result in schema.get_all_operations():
                if isinstance(result, Err):
                    raise result.err()     # the server's document is not one schemathesis can read
                api_operation = result.ok()
                operation = found[(api_operation.method.upper(), api_operation.path)]
                fixed = {"namespace": scope.namespace} if operation.namespaced else None
                modes = [GenerationMode.POSITIVE]
                if len(api_operation.query) or api_operation.body:
                    modes.append(GenerationMode.NEGATIVE)
                for mode in modes:
                    steps.append((operation, mode, api_operation.as_strategy(generation_mode=mode,
                                                                              path_parameters=fixed)))
            by_document.append(steps)
        # the documents' operations interleaved, so that even a short run reaches every group early
        self.plan = [step for steps in zip_longest(*by_document) for step in steps if step is not None]

    def _spent(self, started: float) -> bool:
        return self.report.tried >= self.budget.requests or time.monotonic() - started >= self.budget.seconds

    def run(self) -> Report:
        started = time.monotonic()
        rounds = 0
        try:
            while not self._spent(started):
                for index, (operation, mode, strategy) in enumerate(self.plan):
                    if self._spent(started):
                        break
                    # a seed of its own for each operation, mode and round: the run's seed replays the run
                    self._examples(operation, mode, strategy, started, hash((self.seed, rounds, index)))
                rounds += 1
        finally:
            self.session.close()
            self.report.seconds = time.monotonic() - started
        return self.report

    def _examples(self, operation: Operation, mode: GenerationMode, strategy: SearchStrategy[Case],
                  started: float, case_seed: int) -> None:
        @seed(case_seed)
        @settings(max_examples=self.budget.examples, database=None, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def send(case: Case) -> None:
            if self._spent(started):
                return
            self.scope.pin(operation, case)
            if mode is GenerationMode.POSITIVE and self.scope.rng.random() < 0.5:
                self.scope.shape(operation, case)
            self._send(operation, case)

        try:
            with warnings.catch_warnings():
                # schemathesis warns about what the documents leave out (responses); that is the server's to say
                warnings.simplefilter("ignore")
                send()
        except HypothesisException:
            self.report.ungenerated.add(f"{mode.value} {operation.method} {operation.path}")

    def _send(self, operation: Operation, case: Case) -> None:
        try:
            response = case.call(base_url=self.target.url, session=self.session, verify=self.target.ca,
                                 cert=self.target.cert, timeout=30)
        except requests.RequestException as exc:
            self.report.record(operation, 0)
            self.report.problems.append(Problem(f"no answer: {exc}", f"{case.method} {case.formatted_path}", ""))
            return
        self.report.record(operation, response.status_code)
        prepared = response.request
        content_type = prepared.headers.get("Content-Type")
        query = parse_qsl(urlsplit(prepared.url or "").query, keep_blank_values=True)
        problem = oracle.answer_problem(response.status_code, response.content)
        answer = json.loads(response.content) if problem is None and response.content else None
        sent = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body or b""
        # a null breaks the document's types but Go decodes it as the zero value, so such bodies prove nothing
        broken = case.meta is not None and case.meta.is_negative_at(ParameterLocation.BODY) and not _has_null(case.body)
        if problem is None:
            problem = oracle.code_problem(case.method, query, content_type, sent, broken, response.status_code,
                                          answer)
        if problem is not None:
            shown = sent[:SHOWN].decode(errors="replace")
            self.report.problems.append(Problem(
                problem, f"{prepared.method} {prepared.url} [{content_type}] {shown}",
                f"{response.status_code} {response.content[:SHOWN].decode(errors='replace')}"))
        # reviews answer 201 with an object that is not stored, and has no name
        name = answer.get("metadata", {}).get("name") if isinstance(answer, dict) else None
        if response.status_code == 201 and not operation.namespaced and name:
            self.report.created.append((operation.path.removesuffix("/{name}"), name))
