"""The Modules screen: every addon, its state, and the buttons to change it."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..addons import lifecycle
from ..addons.manifest import version_tuple
from ..addons.models import DISABLED, INSTALLED, read_states
from ..db import db


# The states shown in the State column, marked here so that extraction finds them.
STATE_LABELS = {
    "uninstalled": _l("uninstalled"),
    "installed": _l("installed"),
    "disabled": _l("disabled"),
    "to upgrade": _l("to upgrade"),
    "broken": _l("broken"),
    "reload required": _l("reload required"),
    "missing": _l("missing"),
}


@dataclass
class ModuleRow:
    name: str
    summary: str
    category: str
    depends: tuple[str, ...]
    installed_version: str | None
    available_version: str | None
    state: str  # uninstalled/installed/disabled/to upgrade/broken/reload required/missing
    error: str | None
    application: bool
    author: str = ""
    license: str = ""
    website: str = ""
    has_demo: bool = False


def module_rows() -> list[ModuleRow]:
    runtime = current_app.extensions["crossdock"].runtime
    states = read_states(db.session)
    rows = []
    new_on_disk = runtime.reload_required()
    sources = {**runtime.sources, **new_on_disk}
    gone = {n for n, r in states.items() if r.state in (INSTALLED, DISABLED)} - set(sources)
    for name in sorted(set(sources) | gone):
        stored = states.get(name)
        if name in gone:
            kept = name in runtime.kept_scripts
            rows.append(ModuleRow(
                name, "", "", (), stored.installed_version, None, "missing",
                _("installed, but its code is not found: restore it, or uninstall it "
                  "(%(how)s)", how=_("its tables are removed from the migration scripts "
                                     "kept at install") if kept else
                  _("its scripts were not kept: 'crossdock addons uninstall %(name)s "
                    "--force' leaves its tables", name=name)), False))
            continue
        src = sources[name]
        m = src.manifest
        state = stored.state if stored else "uninstalled"
        installed_version = stored.installed_version if stored else None
        error = runtime.broken.get(name) or src.error
        if name in new_on_disk:
            state, error = "reload required", _("appeared after start: restart to load it")
        elif error:
            state = "broken"
        elif state in (INSTALLED, DISABLED) and m and installed_version and (
                version_tuple(m.version) > version_tuple(installed_version)):
            state = "to upgrade"
        rows.append(ModuleRow(name, m.summary if m else "", m.category if m else "",
                              m.depends if m else (), installed_version,
                              m.version if m else None, state, error,
                              bool(m and m.application), m.author if m else "",
                              m.license if m else "", m.website if m else "",
                              bool(m and m.demo)))
    return rows


class ModulesView(BaseView):
    route_base = "/modules"
    default_view = "list"

    def _runtime(self):
        return current_app.extensions["crossdock"].runtime

    def _act(self, done_message: str, fn, *args):
        try:
            names = fn(db.session, self._runtime(), *args)
        except lifecycle.LifecycleError as exc:
            flash(str(exc), "danger")
        else:
            flash(done_message % {"names": ", ".join(names) or "-"}, "success")
        return redirect(url_for("ModulesView.list"))

    @expose("/")
    @has_access
    def list(self):
        return self.render_template("crossdock/modules.html", rows=module_rows(),
                                    state_labels=STATE_LABELS)

    @expose("/install/<name>", methods=["POST"])
    @has_access
    def install(self, name):
        demo = request.form.get("demo") == "1"
        return self._act(_("Installed: %(names)s"),
                         lambda session, runtime, names: lifecycle.install(
                             session, runtime, names, demo=demo), [name])

    @expose("/upgrade/<name>", methods=["POST"])
    @has_access
    def upgrade(self, name):
        return self._act(_("Upgraded: %(names)s"), lifecycle.upgrade, [name])

    @expose("/disable/<name>", methods=["POST"])
    @has_access
    def disable(self, name):
        return self._act(_("Disabled: %(names)s"), lifecycle.disable, [name])

    @expose("/enable/<name>", methods=["POST"])
    @has_access
    def enable(self, name):
        return self._act(_("Enabled: %(names)s"), lifecycle.enable, [name])

    @expose("/uninstall/<name>", methods=["GET"])
    @has_access
    def confirm_uninstall(self, name):
        try:
            plan = lifecycle.plan_uninstall(db.session, self._runtime(), [name])
        except lifecycle.LifecycleError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("ModulesView.list"))
        return self.render_template("crossdock/uninstall_confirm.html", name=name, plan=plan,
                                    missing=lifecycle.missing_refusal(plan))

    @expose("/uninstall/<name>", methods=["POST"])
    @has_access
    def uninstall(self, name):
        if request.form.get("confirm") != name:
            flash(_("Type the addon's name to confirm the uninstall."), "danger")
            return redirect(url_for("ModulesView.confirm_uninstall", name=name))
        backup_dir = current_app.extensions["crossdock"].settings.instance_path / "backups"
        try:
            removed, backup = lifecycle.uninstall(db.session, self._runtime(), [name],
                                                  backup_dir)
        except lifecycle.LifecycleError as exc:
            flash(str(exc), "danger")
        else:
            flash(_("Uninstalled: %(names)s. Backup: %(backup)s",
                    names=", ".join(removed), backup=backup or "-"), "success")
        return redirect(url_for("ModulesView.list"))
