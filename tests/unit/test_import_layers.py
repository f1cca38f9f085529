"""Inside an addon, imports point down (ARCHITECTURE.md, "Inside an addon,
imports point down too"): rules <- models <- services <- views, api, cli.

For every package in addons/: (a) no model imports a service, view or API;
(b) rules import no model, service, view or API, and no Flask or SQLAlchemy;
(c) the imports between the addon's modules make no cycle.

Read from the source with `ast`, nothing imported. Every import statement
counts, those inside functions too: a deferred import still makes the module
depend on the other, it only hides the loop from Python's import order (and
`if TYPE_CHECKING:` imports count as well). `from pkg import name` points at
the module `pkg.name` when there is one, else at `pkg`. The parent packages
Python runs on the way (`addons/sales/__init__.py` for any sales module) are
not edges: every module would be in a cycle with its addon's __init__.

Run alone: pytest -q -p no:cacheprovider tests/unit/test_import_layers.py
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADDONS = ROOT / "addons"

UPPER_LAYERS = re.compile(r"^addons\.[^.]+\.(services|views|api|cli)(\.|$)")
NOT_IN_RULES = re.compile(r"^(addons\.[^.]+\.(models|services|views|api|cli)|flask\w*|sqlalchemy"
                          r"|werkzeug|core\.db)(\.|$)")

# Edges that break a rule today and that another part of issue 13 removes (the
# hub contract reworks services/erp_sync.py and services/erp/). Still exempt
# while they exist; test_pending_edges_still_exist fails once one is gone, so
# whoever merges that work deletes its line here.
PENDING: dict[tuple[str, str], str] = {}



@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (an addon module when it is one)
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(addon: Path) -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(addon.rglob("*.py"))}


def _imports(module: str, path: Path, known: set[str]) -> list[Import]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[:len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module
            for alias in node.names:
                name = f"{base}.{alias.name}"
                found.append(Import(module, name if name in known else base, node.lineno))
    return found


def _addon_imports(addon: Path) -> tuple[dict[str, Path], list[Import]]:
    modules = _modules(addon)
    known = set(modules)
    found = [i for m, p in modules.items() for i in _imports(m, p, known)]
    return modules, [i for i in found if (i.source, i.target) not in PENDING]


def _unique(lines) -> list[str]:
    return list(dict.fromkeys(lines))


def _where(imp: Import, modules: dict[str, Path]) -> str:
    return f"{modules[imp.source].relative_to(ROOT)}:{imp.line} imports {imp.target}"


def _layer(module: str, addon: str, layer: str) -> bool:
    prefix = f"addons.{addon}.{layer}"
    return module == prefix or module.startswith(prefix + ".")


def check_models(addon: Path) -> list[str]:
    modules, found = _addon_imports(addon)
    return _unique(_where(i, modules) for i in found
                   if _layer(i.source, addon.name, "models") and UPPER_LAYERS.match(i.target))


def check_rules(addon: Path) -> list[str]:
    modules, found = _addon_imports(addon)
    return _unique(_where(i, modules) for i in found
                   if _layer(i.source, addon.name, "rules") and NOT_IN_RULES.match(i.target))


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with a cycle (Tarjan), each as members."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def _one_loop(graph: dict[str, dict[str, int]], members: list[str]) -> list[str]:
    """A shortest path from the first member back to itself, inside the component."""
    start, inside = members[0], set(members)
    paths, seen = [[start]], set()
    while paths:
        path = paths.pop(0)
        for nxt in sorted(graph[path[-1]]):
            if nxt == start:
                return path + [start]
            if nxt in inside and nxt not in seen:
                seen.add(nxt)
                paths.append(path + [nxt])
    return members


def check_cycles(addon: Path) -> list[str]:
    modules, found = _addon_imports(addon)
    graph: dict[str, dict[str, int]] = {m: {} for m in modules}
    for i in found:
        if i.target in modules:
            graph[i.source].setdefault(i.target, i.line)
    problems = []
    for members in _cycles(graph):
        loop = _one_loop(graph, members)
        steps = " -> ".join(f"{a}:{graph[a][b]}" for a, b in zip(loop, loop[1:]))
        problems.append(f"cycle of {len(members)} modules: {', '.join(members)}\n"
                        f"  e.g. {steps} -> {loop[-1]} (module:line of the import)")
    return problems


CHECKS = {"models": check_models, "rules": check_rules, "cycles": check_cycles}
ADDON_DIRS = sorted(p for p in ADDONS.iterdir() if (p / "__init__.py").is_file())


def _cases():
    for addon in ADDON_DIRS:
        for check in CHECKS:
            yield pytest.param(addon, check, id=f"{addon.name}-{check}")


@pytest.mark.parametrize("addon, check", list(_cases()))
def test_imports_point_down(addon, check):
    problems = CHECKS[check](addon)
    assert not problems, f"addons/{addon.name}, {check}:\n" + "\n".join(problems)


def test_pending_edges_still_exist():
    """An exemption outlives its edge only until the merge: then delete it above."""
    gone = []
    for (source, target), why in PENDING.items():
        addon = ADDONS / source.split(".")[1]
        modules = _modules(addon)
        path = modules.get(source)
        edges = {i.target for i in _imports(source, path, set(modules))} if path else set()
        if target not in edges:
            gone.append(f"{source} -> {target} ({why})")
    assert not gone, "no longer imported, remove from PENDING:\n" + "\n".join(gone)


def test_the_checks_see_a_planted_loop(tmp_path, monkeypatch):
    """The checks themselves: a model importing a service, and the loop it makes."""
    addon = tmp_path / "addons" / "planted"
    (addon / "models").mkdir(parents=True)
    (addon / "services").mkdir()
    (addon / "rules").mkdir()
    for pkg in (addon, addon / "models", addon / "services", addon / "rules"):
        (pkg / "__init__.py").write_text("")
    (addon / "models" / "thing.py").write_text(
        "def f():\n    from ..services.act import run\n")
    (addon / "services" / "act.py").write_text("from ..models.thing import f\n")
    (addon / "rules" / "money.py").write_text("from sqlalchemy.orm import Session\n")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert check_models(addon) == [
        "addons/planted/models/thing.py:2 imports addons.planted.services.act"]
    assert check_rules(addon) == [
        "addons/planted/rules/money.py:1 imports sqlalchemy.orm"]
    [cycle] = check_cycles(addon)
    assert "addons.planted.models.thing, addons.planted.services.act" in cycle
