"""The conversion page of a lead: candidate companies and people (a
colleague's contact by name and owner only, as the contacts screens show it),
and per kind the choice "link to X", "create new" or nothing. Thin: the
matches and the conversion are services/leads/lead_conversion.py."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext

from addons.contacts.services.duplicates.check import describe
from core.db import db

from ..services.leads import lead_conversion
from ..services.leads.lead_conversion import ConversionError


def _choice(value: str | None) -> dict:
    """"link:<id>" | "new" | "" -> keyword arguments of one kind."""
    value = (value or "").strip()
    if value == "new":
        return {"create": True}
    if value.startswith("link:"):
        try:
            return {"id": int(value[5:])}
        except ValueError:
            pass
    if value:
        raise ConversionError("choice", f"'{value}' is not a choice")
    return {}


class LeadConvert:
    """Mixed into LeadView (needs LeadActions' _lead_or_404)."""

    def _convert_page(self, lead, pk, status=200):
        found = lead_conversion.candidates(db.session, lead)
        return self.render_template(
            "sales/lead_convert.html", lead=lead, pk=pk, candidates=found, describe=describe,
            lead_endpoint=self.endpoint), status

    @expose("/convert/<int:pk>", methods=["GET"])
    @has_access
    @permission_name("edit")
    def convert(self, pk):
        lead = self._lead_or_404(pk)
        return self._convert_page(lead, pk)

    @expose("/convert/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("edit")
    def convert_post(self, pk):
        lead = self._lead_or_404(pk)
        try:
            company = _choice(request.form.get("company"))
            person = _choice(request.form.get("person"))
            lead_conversion.convert(
                db.session, lead, company_id=company.get("id"),
                create_company=company.get("create", False), person_id=person.get("id"),
                create_person=person.get("create", False))
            db.session.commit()
        except ConversionError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            lead = self._lead_or_404(pk)
            return self._convert_page(lead, pk, 400)
        flash(gettext("Converted to an opportunity."), "success")
        return redirect(url_for("OpportunityView.show", pk=pk))
