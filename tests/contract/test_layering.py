"""The package's layering, read from every module's imports with ``ast`` (nothing is imported or executed).

From the bottom: ``errors`` and ``context``; ``_internal`` (pure rules and data tables); ``checks`` (the policy pack)
and ``constructs``; ``config`` (cdk.json parsing); ``stacks`` and ``testing``. A module may import only what sits
below it, module-level imports form no cycle, a function-local import says why it is lazy, and no module grows past
700 lines. Each failure names the file, the line and the rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import REPO_ROOT

PACKAGE = "eks_platform"
PACKAGE_DIR = REPO_ROOT / PACKAGE
MAX_LINES = 700
LAZY_MARKER = "# lazy:"


@dataclass(frozen=True, kw_only=True, slots=True)
class Import:
    target: str
    line: int
    module_level: bool
    type_checking: bool


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> list[str]:
    if node.level:
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{node.module}" if node.module else package
    else:
        base = node.module or ""
    # `from pkg import sub` imports the submodule `pkg.sub` when it is one.
    targets = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES]
    return targets or [base]


def imports_of(module: str) -> list[Import]:
    path = MODULES[module]
    return imports_in(path.read_text(encoding="utf-8"), module, path)


def imports_in(source: str, module: str, path: Path) -> list[Import]:
    tree = ast.parse(source, filename=str(path))
    found: list[Import] = []

    def visit(node: ast.AST, *, module_level: bool, type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(target=alias.name, line=child.lineno, module_level=module_level,
                                        type_checking=type_checking))
            elif isinstance(child, ast.ImportFrom):
                for target in _resolve(module, path, child):
                    found.append(Import(target=target, line=child.lineno, module_level=module_level,
                                        type_checking=type_checking))
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.body:
                    visit(ast.Module(body=[stmt], type_ignores=[]), module_level=module_level, type_checking=True)
                for stmt in child.orelse:
                    visit(ast.Module(body=[stmt], type_ignores=[]), module_level=module_level,
                          type_checking=type_checking)
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, module_level=False, type_checking=type_checking)
            else:
                visit(child, module_level=module_level, type_checking=type_checking)

    visit(tree, module_level=True, type_checking=False)
    return found


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _internal_target(target: str) -> str | None:
    """The eks_platform module an import names (``None`` for third-party and stdlib imports)."""
    if target == PACKAGE or target.startswith(PACKAGE + "."):
        while target not in MODULES and "." in target:
            target = target.rpartition(".")[0]
        return target
    return None


def _where(module: str, line: int) -> str:
    return f"{MODULES[module].relative_to(REPO_ROOT)}:{line}"


#: layer -> the layers it must never import, with the rule's name.
_FORBIDDEN: dict[str, tuple[set[str], str]] = {
    "constructs": ({"config", "stacks", "testing"}, "constructs/ never imports config/, stacks/ or testing/"),
    "checks": ({"constructs", "config", "stacks", "testing"}, "checks/ never imports constructs/ (nor anything above)"),
}
_INTERNAL_ALLOWED = {"_internal", "errors", "context"}


def layering_violations() -> Iterator[str]:
    for module in MODULES:
        layer = _layer(module)
        for imp in imports_of(module):
            target = _internal_target(imp.target)
            if target is None or target == module:
                continue
            target_layer = _layer(target)
            if layer in _FORBIDDEN and target_layer in _FORBIDDEN[layer][0]:
                yield f"{_where(module, imp.line)}: imports {target}; rule: {_FORBIDDEN[layer][1]}"
            if layer == "_internal" and target_layer not in _INTERNAL_ALLOWED:
                yield (f"{_where(module, imp.line)}: imports {target}; rule: _internal/ imports only _internal, "
                       "errors and context")
            if module == f"{PACKAGE}.errors" or (module == f"{PACKAGE}.context" and target != f"{PACKAGE}.errors"):
                yield (f"{_where(module, imp.line)}: imports {target}; rule: errors.py imports no eks_platform "
                       "module, context.py only errors.py (the bottom layer)")


def _graph() -> dict[str, dict[str, int]]:
    graph: dict[str, dict[str, int]] = {m: {} for m in MODULES}
    for module in MODULES:
        for imp in imports_of(module):
            target = _internal_target(imp.target)
            if target is not None and target != module and imp.module_level and not imp.type_checking:
                graph[module].setdefault(target, imp.line)
    return graph


def import_cycles() -> list[list[str]]:
    """Every strongly connected group of modules (Tarjan), as one cycle path each."""
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def strongconnect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                strongconnect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            strongconnect(node)
    return groups


def cycle_violations() -> Iterator[str]:
    graph = _graph()
    for group in import_cycles():
        members = set(group)
        edges = [f"{_where(a, graph[a][b])} ({a} -> {b})" for a in group for b in graph[a] if b in members]
        yield f"import cycle among {', '.join(group)}: {'; '.join(edges)}; rule: no import cycles"


def lazy_import_violations() -> Iterator[str]:
    for module, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for imp in imports_of(module):
            if imp.module_level or imp.type_checking:
                continue
            here = lines[imp.line - 1]
            # the comment may stand above a block of consecutive imports
            above = imp.line - 2
            while above >= 0 and lines[above].strip().startswith(("from ", "import ")):
                above -= 1
            if LAZY_MARKER not in here and (above < 0 or LAZY_MARKER not in lines[above]):
                yield (f"{_where(module, imp.line)}: function-local import of {imp.target} without a "
                       f"'{LAZY_MARKER} <reason>' comment; rule: imports are module-level unless lazy for a reason")


def size_violations() -> Iterator[str]:
    for module, path in MODULES.items():
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_LINES:
            yield f"{_where(module, count)}: {count} lines; rule: no module in eks_platform over {MAX_LINES} lines"


@pytest.mark.parametrize(
    "check",
    [layering_violations, cycle_violations, lazy_import_violations, size_violations],
    ids=["layers", "cycles", "lazy-imports", "module-size"],
)
def test_package_layering(check: object) -> None:
    assert callable(check)
    violations = list(check())
    assert not violations, "\n".join(violations)


# -- the checker itself must be able to fail ---------------------------------------------------------------------------
def test_checker_sees_module_level_function_local_and_type_checking_imports() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from eks_platform import errors\n"
        "from . import types\n"
        "if TYPE_CHECKING:\n"
        "    from eks_platform.constructs.cluster import AutoModeCluster\n"
        "def f() -> None:\n"
        "    import eks_platform.checks.pack\n"
    )
    path = PACKAGE_DIR / "constructs" / "example.py"
    imports = imports_in(source, f"{PACKAGE}.constructs.example", path)
    assert [(i.target, i.line, i.module_level, i.type_checking) for i in imports] == [
        ("typing", 1, True, False),
        (f"{PACKAGE}.errors", 2, True, False),
        (f"{PACKAGE}.constructs.types", 3, True, False),
        (f"{PACKAGE}.constructs.cluster", 5, True, True),
        (f"{PACKAGE}.checks.pack", 7, False, False),
    ]


def test_cycle_finder_reports_a_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = {"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}}
    monkeypatch.setattr(f"{__name__}._graph", lambda: fake)
    assert import_cycles() == [["a", "b", "c"]]
