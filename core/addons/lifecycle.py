"""Install, upgrade, enable, disable and uninstall addons.

Each operation validates first (unknown names, missing or circular
dependencies, broken or missing code, missing external dependencies) and then
acts in one database transaction: migrations, state rows, hooks, role
permissions and the registry counter commit together or not at all. Both the
Modules screen and the CLI call these functions.
"""
from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, table
from sqlalchemy.orm import Session

from .. import migrate
from ..security.access import sync_role_permissions
from ..security.audit import record_event
from .backup import backup_tables
from .graph import DependencyError, dependents, install_plan, topological
from .manifest import version_tuple
from .models import (
    DISABLED, INSTALLED, UNINSTALLED, AddonModule, bump_registry_version, read_states,
    utcnow,
)
from .runtime import AddonRuntime


class LifecycleError(ValueError):
    """Refused or failed; the message says which addon and why. Nothing changed."""


@dataclass(frozen=True)
class UninstallPlan:
    addons: list[str]  # in removal order: dependents first
    rows: dict[str, int]  # table -> rows that will be dropped


def _states(session: Session) -> dict[str, str]:
    return {n: m.state for n, m in read_states(session).items()}


def present(session: Session) -> set[str]:
    """Installed addons, enabled or disabled (their tables exist)."""
    return {n for n, s in _states(session).items() if s in (INSTALLED, DISABLED)}


def _require_loaded(runtime: AddonRuntime, names: list[str]) -> None:
    for name in names:
        if name in runtime.broken:
            raise LifecycleError(f"addon '{name}' is broken: {runtime.broken[name]}")
        if name not in runtime.loaded:
            raise LifecycleError(
                f"addon '{name}' appeared after start: reload required "
                "(restart the web and worker processes)")
        if not runtime.loaded[name].manifest.installable:
            raise LifecycleError(f"addon '{name}' is not installable")


def missing_external_dependencies(manifest) -> list[str]:
    missing = [f"python package '{m}'" for m in manifest.external_dependencies.get("python", ())
               if importlib.util.find_spec(m) is None]
    missing += [f"program '{b}'" for b in manifest.external_dependencies.get("bin", ())
                if shutil.which(b) is None]
    return missing


def _finish(session: Session, runtime: AddonRuntime, active: set[str]) -> None:
    bump_registry_version(session)
    sync_role_permissions(session, runtime.loaded.values(), active)
    session.commit()
    runtime.gate.refresh(force=True)


def _set_state(session: Session, name: str, state: str, version: str | None) -> None:
    row = session.get(AddonModule, name) or AddonModule(name=name)
    row.state, row.installed_version, row.updated_on = state, version, utcnow()
    session.add(row)


def _active(session: Session) -> set[str]:
    return {n for n, s in _states(session).items() if s == INSTALLED}


def _run(session: Session, what: str, fn) -> None:
    try:
        fn()
    except LifecycleError:
        session.rollback()
        raise
    except Exception as exc:
        session.rollback()
        raise LifecycleError(f"{what} failed, nothing was changed: "
                             f"{type(exc).__name__}: {exc}") from exc


def _refuse_new_on_disk(runtime: AddonRuntime, names: list[str]) -> None:
    new = [n for n in names if n not in runtime.sources and n in runtime.reload_required()]
    if new:
        raise LifecycleError(f"addon(s) {', '.join(new)} appeared after start: reload "
                             "required (restart the web and worker processes)")


def plan_install(session: Session, runtime: AddonRuntime, names: list[str]) -> list[str]:
    _refuse_new_on_disk(runtime, names)
    try:
        plan = install_plan(names, present(session), runtime.manifests)
    except DependencyError as exc:
        raise LifecycleError(str(exc)) from None
    _require_loaded(runtime, plan)
    for name in plan:
        missing = missing_external_dependencies(runtime.loaded[name].manifest)
        if missing:
            raise LifecycleError(f"addon '{name}' needs {', '.join(missing)}")
    return plan


def install(session: Session, runtime: AddonRuntime, names: list[str]) -> list[str]:
    """Install `names` with their dependencies and auto-install glue; returns what was installed."""
    plan = plan_install(session, runtime, names)
    if not plan:
        return []

    def work():
        conn = session.connection()
        for name in plan:
            addon = runtime.loaded[name]
            if addon.migrations_dir:
                migrate.upgrade(conn, name, runtime.addon_dirs)
            _set_state(session, name, INSTALLED, addon.manifest.version)
            session.flush()
            if "post_install" in addon.hooks:
                addon.hooks["post_install"](session)
            record_event(session, "addon_install", "Addon", name,
                         {"version": addon.manifest.version})
        _finish(session, runtime, _active(session))

    _run(session, f"installing {', '.join(plan)}", work)
    return plan


def plan_uninstall(session: Session, runtime: AddonRuntime, names: list[str]) -> UninstallPlan:
    installed = present(session)
    unknown = [n for n in names if n not in runtime.sources]
    if unknown:
        raise LifecycleError(f"unknown addon(s): {', '.join(unknown)}")
    not_installed = [n for n in names if n not in installed]
    if not_installed:
        raise LifecycleError(f"not installed: {', '.join(not_installed)}")
    order = dependents(names, installed, runtime.manifests)
    _require_loaded(runtime, order)
    rows = {}
    for name in order:
        for tbl in runtime.loaded[name].tables:
            rows[tbl] = session.scalar(select(func.count()).select_from(table(tbl))) or 0
    return UninstallPlan(order, rows)


def uninstall(session: Session, runtime: AddonRuntime, names: list[str],
              backup_dir: Path) -> tuple[list[str], Path | None]:
    """Back up and drop `names` and their dependents; returns (removed, backup file)."""
    plan = plan_uninstall(session, runtime, names)
    backup = None
    if plan.rows:
        backup = backup_tables(session.connection(), list(plan.rows), backup_dir,
                               "uninstall-" + "-".join(plan.addons))
        session.commit()  # ends the read transaction the backup used

    def work():
        conn = session.connection()
        for name in plan.addons:
            addon = runtime.loaded[name]
            if "pre_uninstall" in addon.hooks:
                addon.hooks["pre_uninstall"](session)
                session.flush()
            if addon.migrations_dir:
                migrate.downgrade(conn, name, runtime.addon_dirs)
            _set_state(session, name, UNINSTALLED, None)
            record_event(session, "addon_uninstall", "Addon", name,
                         {"backup": str(backup) if backup else None, "rows": plan.rows})
        _finish(session, runtime, _active(session))

    _run(session, f"uninstalling {', '.join(plan.addons)}", work)
    return plan.addons, backup


def upgradable(session: Session, runtime: AddonRuntime) -> list[str]:
    """Installed addons whose code is newer than what is installed."""
    out = []
    for name, row in read_states(session).items():
        addon = runtime.loaded.get(name)
        if row.state in (INSTALLED, DISABLED) and addon and row.installed_version and (
            version_tuple(addon.manifest.version) > version_tuple(row.installed_version)
        ):
            out.append(name)
    return sorted(out)


def upgrade(session: Session, runtime: AddonRuntime, names: list[str] | None = None) -> list[str]:
    """Run pending migrations of `names` (default: every addon to upgrade) and of their dependents."""
    installed = present(session)
    names = upgradable(session, runtime) if names is None else names
    unknown = [n for n in names if n not in installed]
    if unknown:
        raise LifecycleError(f"not installed: {', '.join(unknown)}")
    if not names:
        return []
    order = list(reversed(dependents(names, installed, runtime.manifests)))
    _require_loaded(runtime, order)
    states = read_states(session)

    def work():
        conn = session.connection()
        for name in order:
            addon = runtime.loaded[name]
            if addon.migrations_dir:
                migrate.upgrade(conn, name, runtime.addon_dirs)
            _set_state(session, name, states[name].state, addon.manifest.version)
            record_event(session, "addon_upgrade", "Addon", name,
                         {"version": addon.manifest.version})
        _finish(session, runtime, _active(session))

    _run(session, f"upgrading {', '.join(order)}", work)
    return order


def disable(session: Session, runtime: AddonRuntime, names: list[str]) -> list[str]:
    """Switch off `names` and the addons that depend on them; data stays."""
    active = _active(session)
    off = [n for n in names if n not in active]
    if off:
        raise LifecycleError(f"not enabled: {', '.join(off)}")
    order = dependents(names, active, runtime.manifests)
    _switch(session, runtime, order, DISABLED, "disable")
    return order


def enable(session: Session, runtime: AddonRuntime, names: list[str]) -> list[str]:
    """Switch `names` back on, with their disabled dependencies."""
    states = _states(session)
    try:
        order = [n for n in topological(names, runtime.manifests) if states.get(n) != INSTALLED]
    except DependencyError as exc:
        raise LifecycleError(str(exc)) from None
    missing = [n for n in order if states.get(n) != DISABLED]
    if missing:
        raise LifecycleError(f"not installed (install first): {', '.join(missing)}")
    _require_loaded(runtime, order)
    _switch(session, runtime, order, INSTALLED, "enable")
    return order


def _switch(session: Session, runtime: AddonRuntime, order: list[str], state: str,
            verb: str) -> None:
    """Set installed addons on or off; their tables and data stay as they are."""
    def work():
        for name in order:
            row = session.get(AddonModule, name)
            _set_state(session, name, state, row.installed_version)
            record_event(session, f"addon_{verb}", "Addon", name)
        _finish(session, runtime, _active(session))

    _run(session, f"{verb} {', '.join(order)}", work)
