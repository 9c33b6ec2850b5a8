"""The twin's house: imports point one way (core at the bottom, the parts, the estate on top)."""

from __future__ import annotations

import ast
from pathlib import Path

TWIN = Path(__file__).resolve().parents[1] / "helpers" / "twin"
CORE = {"core", "store", "api", "alarms", "cron", "model"}


def _module(path: Path) -> str:
    return ".".join(path.relative_to(TWIN).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> set[str]:
    """The twin modules ``path`` imports, at any place in the file (TYPE_CHECKING included)."""
    package = _module(path).split(".")[:-1] if path.name != "__init__.py" else _module(path).split(".")
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            if node.level - 1 > len(package):
                continue  # above the twin package (helpers.config and friends)
            target = [*base, *(node.module.split(".") if node.module else [])]
            names = [a.name for a in node.names]
            for name in names:
                candidate = ".".join([*target, name])
                found.add(candidate if (TWIN / Path(*candidate.split("."))).with_suffix(".py").exists()
                          else ".".join(target))
    return {m for m in found if m and m != _module(path)}


def _graph() -> dict[str, set[str]]:
    return {_module(p): _imports(p) for p in TWIN.rglob("*.py")}


def test_twin_imports_have_no_cycle():
    graph = _graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        assert module not in path, f"import cycle: {' -> '.join([*path, module])}"
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def test_core_imports_no_part_and_no_part_imports_the_estate():
    graph = _graph()
    for module in CORE:
        assert graph[module] <= CORE, f"{module} (core) imports {sorted(graph[module] - CORE)}"
    importers = sorted(m for m, targets in graph.items() if "estate" in targets)
    assert importers == [], f"{importers} import the estate, which sits on top"
