"""The package's shape: imports run one way (no circle, imports inside functions counted),
and no module reaches into another's private names."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "papernotes"


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def imported(module: str, tree: ast.Module, known: set[str]) -> dict[str, list[str]]:
    """The package's modules `module` imports, anywhere in it: name -> names taken from it."""
    found: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    found.setdefault(alias.name, [])
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                if child in known:
                    found.setdefault(child, [])
                elif node.module in known:
                    found.setdefault(node.module, []).append(alias.name)
    found.pop(module, None)
    return found


def graph() -> dict[str, dict[str, list[str]]]:
    trees = modules()
    return {name: imported(name, tree, set(trees)) for name, tree in trees.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in edges[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_imports_run_one_way() -> None:
    edges = {name: set(targets) for name, targets in graph().items()}
    # A package's __init__ re-exports its modules: importing the package is importing them.
    for name in edges:
        edges[name] = {t for t in edges[name] if not name.startswith(t + ".")}
    assert cycles(edges) == []


def test_only_the_cli_imports_typer_and_nothing_imports_the_cli() -> None:
    trees = modules()
    for name, tree in trees.items():
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        if name != "papernotes.cli":
            assert not {"typer", "click"} & {n.split(".")[0] for n in names}, name
        assert "papernotes.cli" not in names or name == "papernotes.__main__", name


def test_no_module_takes_another_modules_private_names() -> None:
    for name, targets in graph().items():
        for target, taken in targets.items():
            private = [t for t in taken if t.startswith("_") and not t.startswith("__")]
            assert not private, f"{name} imports {private} from {target}"


def private_names(tree: ast.Module) -> set[str]:
    """The `_names` a module defines: functions, classes, assignments, `self._x` attributes."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            found.add(node.attr)
    return {n for n in found if n.startswith("_") and not n.startswith("__")}


def own_definitions(tree: ast.Module) -> set[str]:
    """The functions and classes a module defines (methods included)."""
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }


def test_no_module_calls_private_names_of_another() -> None:
    """`obj._name` on anything but `self` or `cls` only where the module defines `_name`
    itself (a private name of another papernotes module is that module's business)."""
    trees = modules()
    defined = {name: private_names(tree) for name, tree in trees.items()}
    for name, tree in trees.items():
        others = set().union(*(d for other, d in defined.items() if other != name))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute) or node.attr not in others:
                continue
            if node.attr in own_definitions(tree):
                continue
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            assert owner in ("self", "cls"), f"{name}:{node.lineno}: {ast.unparse(node)}"
