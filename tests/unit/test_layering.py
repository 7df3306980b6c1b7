"""The layers docs/architecture.md draws, held against every module's imports.

The drawing is the `layers` block of docs/architecture.md: one line per layer, highest first; the packages on
one line are independent of each other. A module may import its own package and anything on a lower line,
nothing else. Imports inside functions and under TYPE_CHECKING count too: they are dependencies all the same.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "apiserver"


def drawn_layers() -> list[list[str]]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    block = re.search(r"```layers\n(.*?)```", text, re.S)
    assert block, "docs/architecture.md has no ```layers block"
    return [line.split() for line in block.group(1).splitlines() if line.strip()]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    return imports_of(path.read_text(), module_name(path), path.name == "__init__.py")


def imports_of(source: str, module: str, is_package: bool) -> set[str]:
    """Absolute names of the apiserver modules `source` imports (relative imports resolved)."""
    here = module.split(".")
    package = here if is_package else here[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            names.add(".".join(base + ([node.module] if node.module else [])))
    return {name for name in names if name == "apiserver" or name.startswith("apiserver.")}


class Layers:
    def __init__(self, lines: list[list[str]]) -> None:
        # lower index = lower layer
        self.level = {unit: i for i, line in enumerate(reversed(lines)) for unit in line}

    def unit_of(self, module: str) -> str | None:
        """The longest drawn package (or module) that contains `module`."""
        matches = [u for u in self.level if module == u or module.startswith(u + ".")]
        return max(matches, key=len) if matches else None

    def allows(self, source: str, target: str) -> bool:
        source_unit, target_unit = self.unit_of(source), self.unit_of(target)
        if target_unit is None:
            # a package root such as `apiserver.api` itself: only its sub-packages are drawn
            return True
        assert source_unit is not None
        return source_unit == target_unit or self.level[target_unit] < self.level[source_unit]


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_is_in_a_drawn_layer() -> None:
    layers = Layers(drawn_layers())
    undrawn = [module_name(p) for p in modules() if imported(p) and layers.unit_of(module_name(p)) is None]
    assert not undrawn, f"modules outside every layer of docs/architecture.md: {undrawn}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: module_name(p))
def test_no_module_imports_a_higher_layer(path: Path) -> None:
    layers = Layers(drawn_layers())
    source = module_name(path)
    if layers.unit_of(source) is None:
        return
    upward = sorted(t for t in imported(path) if not layers.allows(source, t))
    assert not upward, f"{source} ({layers.unit_of(source)}) imports from a layer above or beside it: {upward}"


def test_the_check_sees_an_upward_import() -> None:
    layers = Layers([["apiserver.server"], ["apiserver.storage"], ["apiserver.api.meta"]])
    assert not layers.allows("apiserver.storage.etcd3", "apiserver.server.app")
    assert layers.allows("apiserver.server.app", "apiserver.storage.etcd3")
    assert layers.allows("apiserver.storage.etcd3", "apiserver.storage.codec")
    beside = Layers([["apiserver.api.printing", "apiserver.api.validation"], ["apiserver.api.meta"]])
    assert not beside.allows("apiserver.api.printing.tables", "apiserver.api.validation.kinds")
    lazy = imports_of("def f():\n    from apiserver.server import app\n", "apiserver.storage.x", False)
    assert lazy == {"apiserver.server"}
    relative = imports_of("from .codec import encode\nfrom ..api.meta import errors\n", "apiserver.storage.etcd3",
                          False)
    assert relative == {"apiserver.storage.codec", "apiserver.api.meta"}
