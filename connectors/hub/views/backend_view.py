"""Integrations > Backends (Admin): the external systems the hub talks to.

Saving goes through `backends.save_backend`, so its checks (kind, URL, JSON
options, unique name) apply to the screen as to the CLI: a refusal is shown
on the re-rendered form and nothing is saved. The secret is a password input
named `new_secret`, a name the model lacks, so an edit form is never filled
with it; left empty on edit it keeps the stored one. "Test connection" is a
POST (CSRF checked) on the show page and on each list row.
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.fieldwidgets import (BS3PasswordFieldWidget, BS3TextAreaFieldWidget,
                                           BS3TextFieldWidget, Select2Widget)
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from connectors.backend_kinds import KINDS
from core.db import db
from core.views.record_view import RecordView

from ..backends import BackendInputError, save_backend, test_connection
from ..clients import backend_config
from ..models import Backend

LABELS = {"name": _l("Name"), "kind": _l("Kind"), "url": _l("URL"),
          "database": _l("Database"), "username": _l("Username"),
          "new_secret": _l("Password / API key"), "options_json": _l("Options (JSON)"),
          "active": _l("Active"), "created_at": _l("Created"), "id": _l("Test")}


class BackendForm(DynamicForm):
    name = StringField(LABELS["name"], validators=[DataRequired()], widget=BS3TextFieldWidget())
    kind = SelectField(LABELS["kind"], choices=[(k, k) for k in KINDS], widget=Select2Widget())
    url = StringField(LABELS["url"], validators=[DataRequired()], widget=BS3TextFieldWidget(),
                      description=_l("e.g. http://erp.example.com:8000"))
    database = StringField(LABELS["database"], validators=[Optional()],
                           widget=BS3TextFieldWidget())
    username = StringField(LABELS["username"], validators=[Optional()],
                           widget=BS3TextFieldWidget())
    new_secret = PasswordField(LABELS["new_secret"], validators=[Optional()],
                               widget=BS3PasswordFieldWidget(),
                               description=_l("Stored encrypted, never shown; "
                                              "leave empty to keep the stored one."))
    options_json = TextAreaField(LABELS["options_json"], validators=[Optional()],
                                 widget=BS3TextAreaFieldWidget(),
                                 description=_l('A JSON object, e.g. '
                                                '{"warehouse": "WH", "protocol": "json2"}'))
    active = BooleanField(LABELS["active"], default=True)


def test_button(pk) -> Markup:
    """The list's per-row "Test connection" form (a formatter of the id column)."""
    action = url_for("BackendView.test", pk=pk)
    return Markup(
        f'<form method="post" action="{escape(action)}" style="display:inline" '
        f'class="hub-test-connection"><input type="hidden" name="csrf_token" '
        f'value="{escape(generate_csrf())}"><button type="submit" class="btn btn-xs '
        f'btn-default"><i class="fa fa-plug"></i> {escape(gettext("Test connection"))}'
        f'</button></form>')


class BackendView(RecordView):
    datamodel = SQLAInterface(Backend)
    route_base = "/hub/backends"
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_test"]
    method_permission_name = {"test": "test"}
    list_title = _l("Backends")
    show_title = _l("Backend")
    add_title = _l("Add backend")
    edit_title = _l("Edit backend")
    label_columns = LABELS
    list_columns = ["name", "kind", "url", "database", "username", "active", "id"]
    show_columns = ["name", "kind", "url", "database", "username", "options_json", "active",
                    "created_at"]
    search_columns = ["name", "kind", "url", "active"]
    formatters_columns = {"id": test_button}
    show_template = "hub/backend_show.html"
    add_form = edit_form = BackendForm
    add_columns = edit_columns = ["name", "kind", "url", "database", "username", "new_secret",
                                  "options_json", "active"]

    def _save(self, backend: Backend | None, form) -> bool:
        try:
            saved = save_backend(
                db.session, backend, name=form.name.data, kind=form.kind.data,
                url=form.url.data, database=form.database.data or "",
                username=form.username.data or "", secret=form.new_secret.data or None,
                options_json=form.options_json.data or "", active=bool(form.active.data))
            db.session.commit()
        except BackendInputError as exc:
            db.session.rollback()
            flash(gettext("Not saved: %(why)s", why=str(exc)), "danger")
            return False
        flash(gettext("Backend %(name)s saved.", name=saved.name), "success")
        return True

    def _add(self):
        form = self.add_form.refresh()
        if request.method == "POST" and form.validate() and self._save(None, form):
            return None
        return self._get_add_widget(form=form)

    def _edit(self, pk):
        backend = db.session.get(Backend, int(pk)) if str(pk).isdigit() else None
        if backend is None:
            abort(404)
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            if form.validate() and self._save(backend, form):
                return None
        else:
            form = self.edit_form.refresh(obj=backend)
        return self._get_edit_widget(form=form)

    @expose("/test/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("test")
    def test(self, pk):
        backend = db.session.get(Backend, pk)
        if backend is None:
            abort(404)
        config, name = backend_config(backend), backend.name
        db.session.rollback()  # no transaction open during the remote call
        ok, message = test_connection(config)
        flash(f"{name}: {message}", "success" if ok else "danger")
        return redirect(url_for("BackendView.show", pk=pk))
