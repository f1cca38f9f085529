"""A lead's company and person as selects that search as the user types.

The contacts addon's company picker (its field, widget and select2 script)
with this view's own `company_choices` / `person_choices` endpoints, so the
add and edit pages never load 400,000 companies (see
addons/contacts/views/company_picker.py for why FAB's own field does not do)."""
from __future__ import annotations

from flask import jsonify, request
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext, lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import ValidationError

from addons.contacts.views.company_picker import CompanyPickerField, CompanyPickerWidget
from core.db import db

from ..services.leads.customer_choices import matching_companies, matching_people, readable_person


class PersonPickerWidget(CompanyPickerWidget):
    def __call__(self, field, **kwargs):
        html = str(super().__call__(field, **kwargs))
        return Markup(html.replace(escape(gettext("Type to search companies")),
                                   escape(gettext("Type to search people"))))


class PersonPickerField(CompanyPickerField):
    """Holds a Person (or None); a posted id is loaded alone through the ORM."""

    def __init__(self, label=None, validators=None, endpoint="LeadView.person_choices",
                 **kwargs):
        super().__init__(label, validators, endpoint=endpoint, **kwargs)
        self.widget = PersonPickerWidget(endpoint)

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "") or ""
        self.data = readable_person(db.session, raw) if raw.strip() else None
        self._refused = bool(raw.strip()) and self.data is None

    def pre_validate(self, form):
        if self._refused:
            raise ValidationError(gettext("No such person, or you may not see them."))


class CustomerPickers:
    """Put before RecordView in a lead view's bases: swaps the company and
    person fields and serves the pickers' matches."""

    def _init_forms(self):
        name = type(self).__name__
        pickers = {
            "company": CompanyPickerField(_l("Company"), endpoint=f"{name}.company_choices"),
            "person": PersonPickerField(_l("Contact person"), endpoint=f"{name}.person_choices"),
        }
        for extra in ("add_form_extra_fields", "edit_form_extra_fields"):
            setattr(self, extra, {**(getattr(self, extra, None) or {}), **pickers})
        super()._init_forms()

    @expose("/company_choices", methods=["GET"])
    @has_access
    @permission_name("list")
    def company_choices(self):
        return jsonify(results=matching_companies(db.session, request.args.get("q", "")))

    @expose("/person_choices", methods=["GET"])
    @has_access
    @permission_name("list")
    def person_choices(self):
        return jsonify(results=matching_people(db.session, request.args.get("q", "")))
