"""Install, upgrade, enable, disable and uninstall addons.

Each operation validates first (unknown names, missing or circular
dependencies, broken or missing code, missing external dependencies) and then
acts in one database transaction: migrations, state rows, data files, hooks,
role permissions and the registry counter commit together or not at all. Both
the Modules screen and the CLI call these functions.

Install and upgrade keep a copy of the addon's migration scripts
(core/addons/scripts.py) and load its data files (core/addons/data_files.py).
An installed addon whose code is missing or no longer imports can still be
uninstalled, without its hooks, from those scripts or its folder; when neither
exists, only with `force`, which leaves its tables and says which.
"""
from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, table
from sqlalchemy.orm import Session

from .. import migrate
from ..security.access import sync_role_permissions
from ..security.audit import record_event
from . import data_files, scripts
from .backup import backup_tables
from .graph import DependencyError, dependents, install_plan, topological
from .manifest import Manifest, version_tuple
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
    # addons whose code is missing -> what uninstalling them cannot remove
    # (empty when their migration scripts were kept: they are downgraded as usual)
    missing: dict[str, str] = field(default_factory=dict)


def _states(session: Session) -> dict[str, str]:
    return {n: m.state for n, m in read_states(session).items()}


def present(session: Session) -> set[str]:
    """Installed addons, enabled or disabled (their tables exist)."""
    return {n for n, s in _states(session).items() if s in (INSTALLED, DISABLED)}


def _refuse_unreadable(runtime: AddonRuntime, names) -> None:
    """An addon (or a dependency of one) whose manifest could not be read is refused
    with that error, not as an unknown addon."""
    todo, seen = list(names), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        src = runtime.sources.get(name)
        if src is None:
            continue
        if src.manifest is None:
            raise LifecycleError(f"addon '{name}' cannot be used: {src.error}")
        todo += src.manifest.depends


def _refuse_missing(session: Session, runtime: AddonRuntime, names) -> None:
    gone = [n for n in names if n not in runtime.sources and n in present(session)]
    if gone:
        raise LifecycleError(f"addon(s) {', '.join(gone)} missing: installed, but the code "
                             "is not on disk (restore it and restart, or uninstall)")


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
    _refuse_unreadable(runtime, names)
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


def _data_context(runtime: AddonRuntime, name: str) -> data_files.DataContext:
    """The models a data file of `name` may write: its own and its dependencies'."""
    order = topological([name], runtime.manifests)
    return data_files.DataContext(
        name, runtime.loaded[name].source.path,
        {n: runtime.loaded[n].models for n in order if n in runtime.loaded},
        frozenset(runtime.loaded[name].tables))


def _load_data(session: Session, runtime: AddonRuntime, name: str, *, demo: bool,
               prune: bool) -> None:
    """Load the addon's data files, and its demo files when `demo` (core/addons/data_files.py)."""
    manifest = runtime.loaded[name].manifest
    if not (manifest.data or manifest.demo or prune):
        return
    ctx = _data_context(runtime, name)
    try:
        data_files.load(session, ctx, manifest.data, demo=False, prune=prune)
        if demo:
            data_files.load(session, ctx, manifest.demo, demo=True, prune=prune)
    except data_files.DataFileError as exc:
        raise LifecycleError(f"addon '{name}': {exc}; nothing was changed") from None


def install(session: Session, runtime: AddonRuntime, names: list[str], *,
            demo: bool = False) -> list[str]:
    """Install `names` with their dependencies and auto-install glue; returns what was
    installed. `demo` also loads the demo files of every addon installed."""
    plan = plan_install(session, runtime, names)
    if not plan:
        return []

    def work():
        conn = session.connection()
        for name in plan:
            addon = runtime.loaded[name]
            if addon.migrations_dir:
                migrate.upgrade(conn, name, runtime.addon_dirs)
            scripts.record(session, name, addon.migrations_dir)
            _set_state(session, name, INSTALLED, addon.manifest.version)
            session.flush()
            _load_data(session, runtime, name, demo=demo, prune=False)
            if "post_install" in addon.hooks:
                addon.hooks["post_install"](session)
            record_event(session, "addon_install", "Addon", name,
                         {"version": addon.manifest.version, "demo": demo})
        _finish(session, runtime, _active(session))

    _run(session, f"installing {', '.join(plan)}", work)
    return plan


def missing(session: Session, runtime: AddonRuntime) -> list[str]:
    """Installed (or disabled) addons whose code was not found at start."""
    return sorted(present(session) - set(runtime.sources))


def orphan_tables(session: Session, runtime: AddonRuntime) -> list[str]:
    """Tables that neither the platform nor a loaded addon defines (nor names with its
    prefix): what a missing addon's migrations made, as far as the database tells."""
    from flask_appbuilder import Model
    from sqlalchemy import inspect

    defined = set(Model.metadata.tables) | {"alembic_version"}
    prefixes = tuple(f"{n}_" for n in runtime.loaded) + ("ab_", "crossdock_", "hub_")
    return sorted(t for t in inspect(session.connection()).get_table_names()
                  if t not in defined and not t.startswith(prefixes))


def _what_stays(session: Session, runtime: AddonRuntime, name: str) -> str:
    conn = session.connection()
    revisions = scripts.stubbed_revisions_of(conn, name, runtime.kept_scripts.get(scripts.UNKNOWN))
    tables = orphan_tables(session, runtime)
    return (f"tables {', '.join(tables) or '(none found)'} (no loaded code defines them) "
            f"and its migration history ({', '.join(revisions) or 'no revision found'})")


def _scripts_reachable(runtime: AddonRuntime, name: str) -> bool:
    """Its migrations can be run: kept in the database, or its folder is still there."""
    return name in runtime.kept_scripts or name in runtime.sources


def _migrations_of(runtime: AddonRuntime, name: str) -> bool:
    src = runtime.sources.get(name)
    return name in runtime.kept_scripts or bool(src and src.migrations_dir)


def plan_uninstall(session: Session, runtime: AddonRuntime, names: list[str]) -> UninstallPlan:
    installed = present(session)
    # installed but not loaded: code missing, broken, or a manifest that cannot be read;
    # uninstalled without their code (no hooks) from the scripts that can be reached
    unloaded = installed - set(runtime.loaded)
    unknown = [n for n in names if n not in runtime.sources and n not in unloaded]
    if unknown:
        raise LifecycleError(f"unknown addon(s): {', '.join(unknown)}")
    not_installed = [n for n in names if n not in installed]
    if not_installed:
        raise LifecycleError(f"not installed: {', '.join(not_installed)}")
    # an addon without a readable manifest depends on nothing we need to know here
    manifests = {**{n: Manifest(n, "0") for n in unloaded}, **runtime.manifests}
    order = dependents(names, installed, manifests)
    rows, left = {}, {}
    for name in order:
        if name in unloaded:
            if not _scripts_reachable(runtime, name):
                left[name] = _what_stays(session, runtime, name)
                continue  # nothing will be dropped
            for tbl in orphan_tables(session, runtime):  # its downgrade may drop them
                rows[tbl] = session.scalar(select(func.count()).select_from(table(tbl))) or 0
            continue
        for tbl in runtime.loaded[name].tables:
            rows[tbl] = session.scalar(select(func.count()).select_from(table(tbl))) or 0
    return UninstallPlan(order, rows, left)


def missing_refusal(plan: UninstallPlan) -> str:
    return "; ".join(
        f"addon '{n}' is missing (its code is not on disk) and its migration scripts "
        f"were not kept, so its tables cannot be removed: restore its code and "
        f"uninstall again, or use --force to mark it uninstalled, leaving {what}"
        for n, what in plan.missing.items())


def uninstall(session: Session, runtime: AddonRuntime, names: list[str],
              backup_dir: Path, *, force: bool = False) -> tuple[list[str], Path | None]:
    """Back up and drop `names` and their dependents; returns (removed, backup file).

    An addon whose code is missing is downgraded from the migration scripts kept
    at install (core/addons/scripts.py). When none were kept, it is refused unless
    `force`: then it is only marked uninstalled and what stays is recorded."""
    plan = plan_uninstall(session, runtime, names)
    if plan.missing and not force:
        raise LifecycleError(missing_refusal(plan))
    backup = None
    if plan.rows:
        backup = backup_tables(session.connection(), list(plan.rows), backup_dir,
                               "uninstall-" + "-".join(plan.addons), addons=plan.addons)
        session.commit()  # ends the read transaction the backup used

    def work():
        conn = session.connection()
        for name in plan.addons:
            addon = runtime.loaded.get(name)
            if addon is None:  # code missing or not importable: no hooks, no models
                kept = data_files.remove(session, name, None)
                if name in plan.missing:
                    scripts.drop_version_rows(conn, scripts.stubbed_revisions_of(
                        conn, name, runtime.kept_scripts.get(scripts.UNKNOWN)))
                elif _migrations_of(runtime, name):
                    migrate.downgrade(conn, name, runtime.addon_dirs)
            else:
                if "pre_uninstall" in addon.hooks:
                    addon.hooks["pre_uninstall"](session)
                    session.flush()
                kept = data_files.remove(session, name, _data_context(runtime, name))
                if addon.migrations_dir:
                    migrate.downgrade(conn, name, runtime.addon_dirs)
            scripts.forget(session, name)
            _set_state(session, name, UNINSTALLED, None)
            record_event(session, "addon_uninstall", "Addon", name,
                         {"backup": str(backup) if backup else None, "rows": plan.rows,
                          "data_rows_kept": kept, "left_behind": plan.missing.get(name)})
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
    _refuse_missing(session, runtime, names)
    _refuse_unreadable(runtime, names)
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
            scripts.record(session, name, addon.migrations_dir)
            _load_data(session, runtime, name, demo=data_files.has_demo(session, name),
                       prune=True)
            _set_state(session, name, states[name].state, addon.manifest.version)
            record_event(session, "addon_upgrade", "Addon", name,
                         {"version": addon.manifest.version})
        _finish(session, runtime, _active(session))

    _run(session, f"upgrading {', '.join(order)}", work)
    return order


def disable(session: Session, runtime: AddonRuntime, names: list[str]) -> list[str]:
    """Switch off `names` and the addons that depend on them; data stays."""
    _refuse_missing(session, runtime, names)
    active = _active(session)
    off = [n for n in names if n not in active]
    if off:
        raise LifecycleError(f"not enabled: {', '.join(off)}")
    order = dependents(names, active, runtime.manifests)
    _switch(session, runtime, order, DISABLED, "disable")
    return order


def enable(session: Session, runtime: AddonRuntime, names: list[str]) -> list[str]:
    """Switch `names` back on, with their disabled dependencies."""
    _refuse_missing(session, runtime, names)
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
