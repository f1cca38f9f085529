"""Dependency order: what an install pulls in, what an uninstall takes along.

Pure functions over manifests, so every rule about ordering lives here and is
unit-tested without a database.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from .manifest import Manifest


class DependencyError(ValueError):
    """Unknown addon, missing dependency or cycle; the message names them."""


def _check_known(names: Iterable[str], manifests: Mapping[str, Manifest]) -> None:
    unknown = sorted(n for n in names if n not in manifests)
    if unknown:
        raise DependencyError(f"unknown addon(s): {', '.join(unknown)}")


def topological(names: Iterable[str], manifests: Mapping[str, Manifest]) -> list[str]:
    """`names` and all their dependencies, dependencies first; cycles named."""
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = path[path.index(name):] + [name]
            raise DependencyError("dependency cycle: " + " -> ".join(cycle))
        manifest = manifests.get(name)
        if manifest is None:
            parent = path[-1] if path else None
            raise DependencyError(
                f"addon '{parent}' depends on '{name}', which is not available"
                if parent else f"unknown addon: {name}"
            )
        state[name] = "visiting"
        for dep in manifest.depends:
            visit(dep, path + [name])
        state[name] = "done"
        order.append(name)

    for name in sorted(names):
        visit(name, [])
    return order


def install_plan(
    requested: Iterable[str], installed: set[str], manifests: Mapping[str, Manifest]
) -> list[str]:
    """Addons to install, in order: requested and their missing dependencies,
    then auto-install glue addons whose trigger set becomes fully installed."""
    requested = list(requested)
    _check_known(requested, manifests)
    plan = [n for n in topological(requested, manifests) if n not in installed]
    present = installed | set(plan)
    changed = True
    while changed:
        changed = False
        for name in sorted(manifests):
            trigger = manifests[name].auto_install_trigger
            if name in present or trigger is None or not manifests[name].installable:
                continue
            if trigger <= present:
                extra = [n for n in topological([name], manifests) if n not in present]
                plan += extra
                present |= set(extra)
                changed = True
    return plan


def dependents(names: Iterable[str], candidates: set[str],
               manifests: Mapping[str, Manifest]) -> list[str]:
    """`names` and every candidate that depends on them, directly or not,
    ordered so that dependents come first (the order to remove them)."""
    names = set(names)
    _check_known(names, manifests)
    closure = set(names)
    changed = True
    while changed:
        changed = False
        for cand in candidates - closure:
            m = manifests.get(cand)
            if m and closure & set(m.depends):
                closure.add(cand)
                changed = True
    within = {
        n: replace(manifests[n], depends=tuple(d for d in manifests[n].depends if d in closure))
        for n in closure
    }
    return list(reversed(topological(closure, within)))
