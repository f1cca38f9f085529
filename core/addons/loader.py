"""Importing addons at start and mounting what they declare.

Flask cannot add routes after the first request, so every importable addon is
mounted at start, installed or not; `gate` then answers 404 for inactive ones.
An addon's package exposes `register(addon)`, which declares views, APIs and
hooks on an `AddonRegistrar`; nothing is mounted until `register` has returned
and the addon's security files have been read and checked, so an addon that
fails any step leaves nothing behind and is reported as broken.
"""
from __future__ import annotations

import importlib
import logging
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType

from flask import Blueprint, current_app
from flask_appbuilder import Model
from jinja2 import ChoiceLoader, FileSystemLoader

from .. import models as _platform_models  # noqa: F401  (addon models reference them)
from ..home_tiles import add_tile
from ..security import record_rules
from ..security.access import SEEDED_ROLES, AccessRow, PermissionTarget, read_access_csv
from ..security.rule_expressions import RecordRule
from ..views import screen_slots
from . import model_extension, table_owners
from .discovery import AddonSource
from .graph import DependencyError, topological

log = logging.getLogger(__name__)

HOOKS = ("post_install", "pre_uninstall")


class AddonDeclarationError(ValueError):
    """An addon declares something inconsistent; the message names the addon."""


@dataclass
class _ViewDecl:
    view: type
    name: str | None = None
    category: str | None = None
    label: str | None = None
    icon: str = ""
    category_label: str | None = None
    category_icon: str = ""


@dataclass
class AddonRegistrar:
    """What an addon's `register(addon)` receives to declare its parts."""

    name: str
    views: list[_ViewDecl] = field(default_factory=list)
    hooks: dict[str, Callable] = field(default_factory=dict)
    commands: list = field(default_factory=list)
    tiles: list[tuple[Callable, int]] = field(default_factory=list)
    extensions: list = field(default_factory=list)  # model_extension.ExtensionField
    screen_slots: list = field(default_factory=list)  # (view class, screen_slots.Slot)

    def view(self, view: type, name: str, *, category: str | None = None,
             label: str | None = None, icon: str = "",
             category_label: str | None = None, category_icon: str = "") -> None:
        """A FAB view with a menu entry (under `category` when given)."""
        self.views.append(_ViewDecl(view, name, category, label, icon,
                                    category_label, category_icon))

    def view_no_menu(self, view: type) -> None:
        """A FAB view or REST API (`ModelRestApi`) with no menu entry."""
        self.views.append(_ViewDecl(view))

    api = view_no_menu

    def on(self, hook: str, fn: Callable) -> None:
        """`post_install(session)` or `pre_uninstall(session)`, inside the lifecycle transaction."""
        if hook not in HOOKS:
            raise AddonDeclarationError(f"addon '{self.name}': unknown hook '{hook}'")
        self.hooks[hook] = fn

    def home_tile(self, build: Callable, *, order: int = 100) -> None:
        """A tile on the start page (core/home_tiles.py), shown while the addon is active."""
        self.tiles.append((build, order))

    def command(self, command) -> None:
        """A click command, run as `crossdock <addon> <command>` inside the app,
        and refused unless the addon is installed (core/cli.py)."""
        if not getattr(command, "name", None) or not callable(getattr(command, "main", None)):
            raise AddonDeclarationError(f"addon '{self.name}': {command!r} is not a click command")
        if any(c.name == command.name for c in self.commands):
            raise AddonDeclarationError(
                f"addon '{self.name}': two commands named '{command.name}'")
        self.commands.append(command)

    # --- extending other addons' models and screens (issue 19) -----------------
    def extend(self, model: type, *, labels: dict | None = None, **fields) -> None:
        """Add columns (`Column(...)`, nullable, no default) and many-to-one
        `relationship(...)`s to another addon's `model` (core/addons/model_extension.py).
        The addon's own migration branch adds the columns (`depends_on` the
        model's addon); they are read and written only while this addon is active."""
        if not fields:
            raise AddonDeclarationError(f"addon '{self.name}': extend({model.__name__}) "
                                        "names no fields")
        try:
            self.extensions += model_extension.extend(self.name, model, fields, labels)
        except model_extension.ExtensionError as exc:
            raise AddonDeclarationError(str(exc)) from None

    def extend_screen(self, view: type, *slots) -> None:
        """Fill named slots of another addon's screen (`view`: its RecordView
        class) with `screen_slots.ListColumn`, `Fieldset`, `Panel` and `Action`
        entries (core/views/screen_slots.py), shown while this addon is active."""
        for slot in slots:
            if not isinstance(slot, screen_slots.SLOT_TYPES):
                raise AddonDeclarationError(
                    f"addon '{self.name}': {slot!r} is not a screen slot "
                    "(ListColumn, Fieldset, Panel, Action)")
            self.screen_slots.append((view, slot))


@dataclass
class LoadedAddon:
    source: AddonSource
    module: ModuleType
    models: dict[str, type]
    tables: list[str]
    access: list[AccessRow]
    hooks: dict[str, Callable]
    blueprints: set[str] = field(default_factory=set)
    permission_targets: list[PermissionTarget] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def manifest(self):
        return self.source.manifest

    @property
    def migrations_dir(self):
        return self.source.migrations_dir


def tables_defined_by(module_name: str) -> list[str]:
    """The tables whose `Table(...)` or model class is in `module_name`'s package.

    Read from where each table was defined (`table_owners`), not from what an
    import added to the metadata: whichever test, script or addon imported the
    models first, the addon owns the same tables, and its uninstall backs up
    and drops those and no others."""
    def ours(module: str | None) -> bool:
        return module is not None and (module == module_name or module.startswith(module_name + "."))

    return sorted(t.name for t in Model.metadata.tables.values() if ours(table_owners.defined_in(t)))


def _import(source: AddonSource) -> tuple[ModuleType, dict[str, type], list[str]]:
    if source.sys_path and source.sys_path not in sys.path:
        sys.path.insert(0, source.sys_path)
    module = importlib.import_module(source.module)
    if (source.path / "models").is_dir():
        importlib.import_module(source.module + ".models")
    models = {
        m.class_.__name__: m.class_
        for m in Model.registry.mappers
        if m.class_.__module__.startswith(source.module + ".")
    }
    return module, models, tables_defined_by(source.module)


def _read_security(source: AddonSource, models: dict[str, type]) -> list[AccessRow]:
    sec = source.path / "security"
    access_csv = sec / "access.csv"
    access = read_access_csv(access_csv, source.name) if access_csv.is_file() else []
    for row in access:
        if row.model not in models:
            raise AddonDeclarationError(
                f"addon '{source.name}': access.csv names unknown model '{row.model}'")
    unruled = sorted(set(models) - {r.model for r in access})
    if unruled:
        raise AddonDeclarationError(
            f"addon '{source.name}': no access rules for model(s) {', '.join(unruled)} "
            "(add rows to security/access.csv)")
    return access


def _declare_record_rules(source: AddonSource, models: dict[str, type]) -> None:
    """security/record_rules.csv (scopes, one row per model and role) and
    security/record_rules.py (a `RULES` list of RecordRule: scopes or
    expressions); a model and role may be ruled once, in one of them."""
    import csv

    rules: list[tuple[str, RecordRule]] = []
    path = source.path / "security" / "record_rules.csv"
    if path.is_file():
        with path.open(newline="", encoding="utf-8") as fh:
            for n, row in enumerate(csv.DictReader(fh), start=2):
                where = f"record_rules.csv line {n}"
                model = models.get(row.get("model", ""))
                if model is None:
                    raise AddonDeclarationError(
                        f"addon '{source.name}': {where}: unknown model '{row.get('model')}'")
                try:
                    rules.append((where, RecordRule(model, row["role"], row["read"],
                                                    row["write"])))
                except KeyError as exc:
                    raise AddonDeclarationError(
                        f"addon '{source.name}': {where}: no column {exc}") from None
    if (source.path / "security" / "record_rules.py").is_file():
        module = importlib.import_module(source.module + ".security.record_rules")
        declared = getattr(module, "RULES", None)
        if not isinstance(declared, (list, tuple)) or not all(
                isinstance(r, RecordRule) for r in declared):
            raise AddonDeclarationError(
                f"addon '{source.name}': security/record_rules.py must define RULES, "
                "a list of core.security.rule_expressions.RecordRule")
        for rule in declared:
            if models.get(rule.model.__name__) is not rule.model:
                raise AddonDeclarationError(
                    f"addon '{source.name}': security/record_rules.py rules "
                    f"{rule.model.__name__}, which is not one of its models")
            rules.append(("security/record_rules.py", rule))
    seen: dict[tuple[type, str], str] = {}
    for where, rule in rules:
        if rule.role not in SEEDED_ROLES:
            raise AddonDeclarationError(
                f"addon '{source.name}': {where}: unknown role '{rule.role}'")
        key = (rule.model, rule.role)
        if key in seen:
            raise AddonDeclarationError(
                f"addon '{source.name}': {where}: {rule.model.__name__}/{rule.role} is "
                f"ruled already ({seen[key]})")
        seen[key] = where
        try:
            record_rules.declare(rule)
        except ValueError as exc:
            raise AddonDeclarationError(f"addon '{source.name}': {where}: {exc}") from None


def load_one(source: AddonSource) -> tuple[LoadedAddon, AddonRegistrar]:
    module, models, tables = _import(source)
    access = _read_security(source, models)
    registrar = AddonRegistrar(source.name)
    register = getattr(module, "register", None)
    if register is not None:
        register(registrar)
    screen_slots.forget(source.name)
    for view, slot in registrar.screen_slots:
        screen_slots.fill(view, source.name, slot)
    for decl in registrar.views:
        model = getattr(getattr(decl.view, "datamodel", None), "obj", None)
        if model is not None and model.__name__ not in models:
            raise AddonDeclarationError(
                f"addon '{source.name}': view {decl.view.__name__} serves "
                f"{model.__name__}, which is not one of its models")
    try:
        _declare_record_rules(source, models)
    except Exception:
        for model in models.values():
            record_rules.forget(model)
        raise
    return LoadedAddon(source, module, models, tables, access, registrar.hooks), registrar


def mount(appbuilder, loaded: LoadedAddon, registrar: AddonRegistrar,
          menu_cond: Callable[[], bool]) -> None:
    """Add the declared views to FAB and note what belongs to the addon."""
    categories = set()
    for decl in registrar.views:
        if decl.name:
            view = appbuilder.add_view(
                decl.view, decl.name, category=decl.category or "",
                label=decl.label or decl.name, icon=decl.icon,
                category_label=decl.category_label or decl.category or "",
                category_icon=decl.category_icon, menu_cond=menu_cond)
        else:
            view = appbuilder.add_view_no_menu(decl.view)
        model = getattr(getattr(view, "datamodel", None), "obj", None)
        model_name = model.__name__ if model is not None else None
        loaded.blueprints.add(view.blueprint.name)
        loaded.permission_targets.append(
            PermissionTarget(view.class_permission_name, model_name, decl.category))
        if decl.name:
            loaded.permission_targets.append(
                PermissionTarget(decl.name, model_name, decl.category))
        if decl.category:
            categories.add(decl.category)
    for category in sorted(categories):
        loaded.permission_targets.append(PermissionTarget(category, None))
    app = current_app._get_current_object()
    for build, order in registrar.tiles:
        add_tile(app, build, order=order, shown=menu_cond)
    _mount_files(app, loaded)


def _mount_files(app, loaded: LoadedAddon) -> None:
    """The addon's `templates/` joins the Jinja search path (after core's, so an
    addon cannot replace a core template; name them `<addon>/...`), and its
    `static/` is served under /static/addons/<addon>/ (gated like its views)."""
    templates = loaded.source.path / "templates"
    if templates.is_dir():
        app.jinja_loader = ChoiceLoader([app.jinja_loader, FileSystemLoader(str(templates))])
    static = loaded.source.path / "static"
    if static.is_dir():
        bp = Blueprint(f"addon_static_{loaded.name}", loaded.source.module,
                       static_folder=str(static), static_url_path=f"/static/addons/{loaded.name}")
        app.register_blueprint(bp)
        loaded.blueprints.add(bp.name)


def _unusable_dependency(manifest, broken: dict[str, str], exc: DependencyError) -> str:
    """Why an addon cannot load: a dependency's own error (a bad manifest...) when it
    has one, rather than "not available"."""
    bad = next((d for d in manifest.depends if d in broken), None)
    return f"depends on '{bad}', which is broken: {broken[bad]}" if bad else str(exc)


def load_all(sources: dict[str, AddonSource]) -> tuple[list[tuple[LoadedAddon, AddonRegistrar]], dict[str, str]]:
    """Import every addon in dependency order; returns the loaded ones and the
    errors of the broken ones (an addon whose dependency is broken is broken too)."""
    broken = {n: s.error for n, s in sources.items() if s.error}
    manifests = {n: s.manifest for n, s in sources.items() if s.manifest}
    order = []
    for name in sorted(manifests):
        try:
            order += [n for n in topological([name], manifests) if n not in order]
        except DependencyError as exc:
            broken[name] = _unusable_dependency(manifests[name], broken, exc)
    loaded = []
    for name in order:
        if name in broken:
            continue
        bad_dep = next((d for d in manifests[name].depends if d in broken), None)
        if bad_dep:
            broken[name] = f"depends on '{bad_dep}', which is broken"
            continue
        try:
            loaded.append(load_one(sources[name]))
        except Exception as exc:  # any import-time failure makes the addon broken
            broken[name] = f"{type(exc).__name__}: {exc}"
            log.error("addon %s is broken:\n%s", name, traceback.format_exc())
    return loaded, broken
