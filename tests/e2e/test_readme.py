"""The README and the pages under docs/ show commands; every one of them runs here against the cluster of `make up`,
so that the pages cannot drift from the code. Every relative link of those pages leads to a file that exists.

The rules a page is held to:
- Each ```sh (or bash, shell) block runs, unless the line before it is `<!-- not-run: reason -->`; the reason is
  required. Every fence names its language, so that no command hides in a block this test would not read.
- A line is a command; a trailing backslash continues it and comment lines are skipped. Commands run one at a time
  with bash (pipefail on), in page order, from a directory laid out as the checkout after `make up`: `state/` is the
  session's cluster and `.venv` this interpreter's environment. KUBECONFIG is the one `make up` printed.
- An `export` line runs and then holds for the rest of its page, as it would in the reader's shell.
- `make TARGET` is not run: `up` would start a second cluster, `test` this suite again, `down` and `clean` would
  stop the cluster the other commands use. The Makefile must have the target, and `up` must run
  `python -m cluster up`, which is what the session's cluster was started with.
- A kubectl watch (`-w`, `--watch`, `--watch-only`) must print its list and keep running; when its comment says
  `in another shell: CMD`, CMD runs and the watch must print what it changed. Then the watch is stopped.
- A command fails on a non-zero status, on a timeout, and on a Python traceback on stderr: a `$(python ...)` that
  fails does not change the status of the command around it.
"""
from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, Topology

PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
SHELLS = {"sh", "bash", "shell"}
FENCE = re.compile(r"^(`{3,}|~{3,})\s*([^\s`]*)")
NOT_RUN = re.compile(r"^<!--\s*not-run:(.*?)-->\s*$")
WATCH_FLAGS = {"-w", "--watch", "--watch-only"}
ANOTHER_SHELL = re.compile(r"#\s*in another shell:\s*(.+)$")
UP_RECIPE = "$(PY) -m cluster up"
COMMAND_TIMEOUT = 180.0
WATCH_TIMEOUT = 30.0


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    language: str
    body: tuple[str, ...]
    not_run: str | None

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def runs(self) -> bool:
        return self.language in SHELLS and self.not_run is None

    def commands(self) -> list[str]:
        commands: list[str] = []
        pending: list[str] = []
        for line in self.body:
            if not pending and (not line.strip() or line.lstrip().startswith("#")):
                continue
            pending.append(line)
            if not line.rstrip().endswith("\\"):
                commands.append("\n".join(pending))
                pending = []
        if pending:
            commands.append("\n".join(pending))
        return commands


def parse(page: Path) -> tuple[list[Block], list[str]]:
    """The page's fenced blocks, and what is wrong with its fences and markers."""
    lines = page.read_text().splitlines()
    blocks: list[Block] = []
    problems: list[str] = []
    where = page.relative_to(ROOT)
    index = 0
    while index < len(lines):
        marker = NOT_RUN.match(lines[index])
        fence = FENCE.match(lines[index])
        if marker and not (index + 1 < len(lines) and FENCE.match(lines[index + 1])):
            problems.append(f"{where}:{index + 1}: a not-run marker must be the line right before a fence")
        if not fence:
            index += 1
            continue
        opening, language = fence.groups()
        reason = NOT_RUN.match(lines[index - 1]) if index else None
        start = index
        index += 1
        while index < len(lines) and not lines[index].startswith(opening):
            index += 1
        if index == len(lines):
            problems.append(f"{where}:{start + 1}: the fence is never closed")
        if not language:
            problems.append(f"{where}:{start + 1}: a fence without a language")
        if reason and not reason.group(1).strip():
            problems.append(f"{where}:{start}: a not-run marker without a reason")
        blocks.append(Block(page, start + 1, language, tuple(lines[start + 1:index]),
                            reason.group(1).strip() if reason else None))
        index += 1
    return blocks, problems


def words(command: str) -> list[str]:
    return shlex.split(command, comments=True)


def is_make(command: str) -> bool:
    return command.split()[:1] == ["make"]


def is_watch(command: str) -> bool:
    argv = words(command)
    return argv[:1] == ["kubectl"] and bool(WATCH_FLAGS & set(argv))


def make_targets() -> dict[str, list[str]]:
    """The Makefile's targets and their recipe lines."""
    targets: dict[str, list[str]] = {}
    recipe: list[str] = []
    for line in (ROOT / "Makefile").read_text().splitlines():
        rule = re.match(r"^([A-Za-z0-9_.-]+)\s*:(?!=)", line)
        if rule:
            recipe = targets.setdefault(rule.group(1), [])
        elif line.startswith("\t"):
            recipe.append(line.strip())
    return targets


def all_blocks() -> list[Block]:
    return [block for page in PAGES for block in parse(page)[0]]


def runnable_pages() -> list[Path]:
    return [page for page in PAGES
            if any(block.runs and not all(map(is_make, block.commands()))
                   for block in parse(page)[0])]


def test_fences_and_markers_are_well_formed():
    problems = [problem for page in PAGES for problem in parse(page)[1]]
    for block in all_blocks():
        for command in block.commands() if block.language in SHELLS else ():
            try:
                words(command)
            except ValueError as exc:
                problems.append(f"{block.where}: {command!r}: {exc}")
    assert not problems, "\n".join(problems)


def test_make_commands_name_targets_of_the_makefile():
    targets = make_targets()
    assert UP_RECIPE in targets.get("up", []), "the session's cluster stands for `make up` only while it runs this"
    shown = [(block.where, argv) for block in all_blocks() if block.language in SHELLS
             for argv in map(words, filter(is_make, block.commands()))]
    assert shown, "the README shows `make up` and `make test`"
    for where, argv in shown:
        for target in (a for a in argv[1:] if not a.startswith("-") and "=" not in a):
            assert target in targets, f"{where}: the Makefile has no target {target!r}"


def test_the_readme_shows_the_two_commands():
    readme = [argv for block in parse(ROOT / "README.md")[0] if block.runs for argv in map(words, block.commands())]
    assert ["make", "up"] in readme and ["make", "test"] in readme


@dataclass
class Shell:
    """Runs a page's commands as its reader would, in one terminal on the checkout after `make up`."""
    cwd: Path
    env: dict[str, str]
    exports: list[str]

    def script(self, command: str) -> str:
        return "\n".join(["set -o pipefail", *self.exports, command])

    def run(self, command: str, where: str) -> None:
        process = subprocess.Popen(["bash", "-c", self.script(command)], cwd=self.cwd, env=self.env, text=True,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True)
        try:
            out, err = process.communicate(timeout=COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            pytest.fail(f"{where}: {command} did not end in {COMMAND_TIMEOUT:.0f}s\n{out}\n{err}")
        assert process.returncode == 0, f"{where}: {command} exited {process.returncode}\n{out}\n{err}"
        assert "Traceback (most recent call last)" not in err, f"{where}: {command}\n{err}"
        if words(command)[:1] == ["export"]:
            assert not err, f"{where}: {command}\n{err}"
            self.exports.append(command)

    def watch(self, command: str, where: str, output: Path) -> None:
        other = ANOTHER_SHELL.search(command)
        with output.open("w") as sink:
            process = subprocess.Popen(["bash", "-c", self.script(command)], cwd=self.cwd, env=self.env,
                                       stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        try:
            listed = self._wait_for_lines(process, output, 1, f"{where}: {command}")
            if other:
                self.run(other.group(1).strip(), f"{where} (in another shell)")
                self._wait_for_lines(process, output, listed + 1, f"{where}: {command} after {other.group(1)}")
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)

    @staticmethod
    def _wait_for_lines(process: subprocess.Popen, output: Path, count: int, what: str) -> int:
        deadline = time.monotonic() + WATCH_TIMEOUT
        while True:
            lines = len(output.read_text().splitlines())
            if lines >= count:
                return lines
            assert process.poll() is None, f"{what}: the watch ended\n{output.read_text()}"
            assert time.monotonic() < deadline, f"{what}: no output in {WATCH_TIMEOUT:.0f}s"
            time.sleep(0.2)


@pytest.fixture(scope="module")
def checkout(make_up: Topology, tmp_path_factory) -> Path:
    """A directory that looks like the checkout after `make up`: the repository's files, `state/` of the session's
    cluster, and `.venv` holding this interpreter."""
    root = tmp_path_factory.mktemp("checkout")
    for entry in ROOT.iterdir():
        if entry.name not in ("state", ".venv"):
            (root / entry.name).symlink_to(entry)
    (root / "state").symlink_to(make_up.state)
    if sys.prefix != sys.base_prefix:
        (root / ".venv").symlink_to(sys.prefix)
    else:
        (root / ".venv" / "bin").mkdir(parents=True)
        (root / ".venv" / "bin" / "python").symlink_to(sys.executable)
    return root


@pytest.fixture
def shell(checkout: Path, make_up_kubeconfig: str, tmp_path: Path) -> Shell:
    # the reader's own etcdctl and kubectl settings must not stand in for what the page sets
    env = {name: value for name, value in os.environ.items() if not name.startswith(("ETCDCTL_", "KUBE"))}
    env.update(KUBECONFIG=make_up_kubeconfig, KUBECACHEDIR=str(tmp_path / "kube-cache"), PYTHONPATH=str(ROOT))
    return Shell(checkout, env, [])


@pytest.mark.parametrize("page", runnable_pages(), ids=lambda page: str(page.relative_to(ROOT)))
def test_the_commands_of_the_page_run(page: Path, shell: Shell, tmp_path: Path):
    for block in parse(page)[0]:
        if not block.runs:
            continue
        for command in block.commands():
            if is_make(command):
                continue    # test_make_commands_name_targets_of_the_makefile
            if is_watch(command):
                shell.watch(command, block.where, tmp_path / "watch.out")
            else:
                shell.run(command, block.where)


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*$", "\n".join(_outside_fences(page)), re.MULTILINE):
        name, n = slug(heading), 1
        while name in found:
            name, n = f"{slug(heading)}-{n}", n + 1
        found.add(name)
    return found


def _outside_fences(page: Path) -> list[str]:
    lines, inside = [], None
    for line in page.read_text().splitlines():
        fence = FENCE.match(line)
        if inside is None and fence:
            inside = fence.group(1)
        elif inside is not None and line.startswith(inside):
            inside = None
        elif inside is None:
            lines.append(line)
    return lines


def test_relative_links_lead_to_files_and_headings_that_exist():
    broken = []
    for page in PAGES:
        prose = re.sub(r"`[^`]*`", "", "\n".join(_outside_fences(page)))
        for target in re.findall(r"\]\(([^)\s]+)\)", prose):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue    # a URL with a scheme leaves the repository
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}: no such file")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{page.relative_to(ROOT)}: {target}: no such heading")
    assert not broken, "\n".join(broken)
