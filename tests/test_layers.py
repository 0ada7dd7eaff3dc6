"""The library flows one way: no import cycle, and no lower layer imports a higher one.

Layers, lowest first (a module may import its own layer and those below):
the shared primitives; validation; loading; the analyses built on loaded
tables; charts, policy analysis and extraction; exports; the build and the JupyterLab save hook; the
command line.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "cityscience"
LAYERS = [
    {"conventions", "paths", "problems", "atomic", "numbers", "tables", "cells", "textnorm", "units"},
    {"validate"},
    {"load"},
    {"compare", "consistency", "provenance", "dictionary", "select"},
    {"charts", "policy", "extract"},
    {"export", "report"},
    {"build", "lab"},
    {"commands", "cli", "__init__", "__main__"},
]


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        out[".".join(("cityscience", *parts))] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package modules ``name`` imports (resolving relative imports), at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            # a name that is a module is that module; any other name is an attribute of ``target`` itself
            targets = [f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:  # the package root too: it is the top layer
                found.add(target)
    return found


def _layer(module: str) -> int:
    top = module.split(".")[1] if module.count(".") else "__init__"
    for i, names in enumerate(LAYERS):
        if top in names:
            return i
    raise AssertionError(f"{module}: not in any layer of tests/test_layers.py; add it where it belongs")


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_every_module_is_in_a_layer():
    for name in _modules():
        _layer(name)


def test_no_module_imports_a_higher_layer():
    wrong = [f"{a} (layer {_layer(a)}) imports {b} (layer {_layer(b)})"
             for a, deps in _graph().items() for b in deps if _layer(b) > _layer(a)]
    assert wrong == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycle():
    assert _cycles(_graph()) == []


def test_the_checks_find_a_cycle_and_an_upward_import(tmp_path, monkeypatch):
    """The checks themselves can fail: a package whose validation imports its loader is caught twice."""
    package = tmp_path / "cityscience"
    (package / "validate").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "load.py").write_text("from .validate import x\n")
    (package / "validate" / "__init__.py").write_text("def f():\n    from ..load import y\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", package)
    graph = _graph()
    assert _cycles(graph) == [["cityscience.load", "cityscience.validate"]]
    assert _layer("cityscience.load") > _layer("cityscience.validate")
    assert "cityscience.load" in graph["cityscience.validate"]
