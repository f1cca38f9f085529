"""A person's personal data on their page (Admin): "Export personal data"
(POST: the ZIP, services/personal_data/export_personal_data.py) and "Erase
personal data" (GET: what will happen, and a confirmation; POST with the
confirmation: services/personal_data/erase_personal_data.py, then what each
addon did). GET changes nothing.

Who: those who may delete people, which security/access.csv gives no role
but Admin; the person is loaded through the record rules.
"""
from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, lazy_gettext as _l

from core.db import db
from core.views.screen_slots import Panel

from ..models import Person
from ..services.personal_data import erase_personal_data
from ..services.personal_data.export_personal_data import export_zip
from ..services.personal_data.provider import ANONYMISED, DELETED, KEPT, providers
from ..services.personal_data.subject import PersonalDataError, load_person
from .duplicate_settings_view import TEMPLATES

ACTION_LABELS = {ANONYMISED: _l("anonymised"), DELETED: _l("deleted"), KEPT: _l("kept")}
PERMISSION = "delete"  # FAB's can_delete on this view: Person's delete right (Admin)


class PersonalDataView(BaseView):
    route_base = "/contacts/personal-data"
    template_folder = TEMPLATES
    datamodel = SQLAInterface(Person)
    method_permission_name = {"export": PERMISSION, "confirm": PERMISSION, "erase": PERMISSION}
    base_permissions = [f"can_{PERMISSION}"]

    @expose("/<int:pk>/export", methods=["POST"])
    @has_access
    def export(self, pk):
        try:
            name, data = export_zip(db.session, pk)
        except PersonalDataError as exc:
            return self._refused(pk, exc)
        db.session.commit()
        return Response(data, mimetype="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{name}"'})

    @expose("/<int:pk>/erase", methods=["GET"])
    @has_access
    def confirm(self, pk):
        try:
            person = load_person(db.session, pk)
        except PersonalDataError as exc:
            return self._refused(pk, exc)
        return self.render_template("contacts/personal_data_erase.html", person=person,
                                    providers=[p.name for p in providers()])

    @expose("/<int:pk>/erase", methods=["POST"])
    @has_access
    def erase(self, pk):
        if request.form.get("confirm") != "yes":
            flash(gettext("Tick the confirmation to erase the personal data."), "danger")
            return redirect(url_for("PersonalDataView.confirm", pk=pk))
        try:
            done = erase_personal_data.erase(db.session, pk)
        except PersonalDataError as exc:
            return self._refused(pk, exc)
        db.session.commit()
        return self.render_template("contacts/personal_data_erased.html", pk=pk, done=done,
                                    action_labels=ACTION_LABELS)

    def _refused(self, pk, exc: PersonalDataError):
        db.session.rollback()
        flash(gettext("Nothing was changed: %(reason)s", reason=exc.message), "danger")
        return redirect(url_for("PersonView.show", pk=pk))


def panel_context(view, person) -> dict | None:
    """The panel's variables, or None for a reader without the right."""
    if not view.appbuilder.sm.has_access(f"can_{PERMISSION}", PersonalDataView.__name__):
        return None
    return {}


PANEL = Panel("contacts/personal_data_panel.html", context=panel_context, order=90)
