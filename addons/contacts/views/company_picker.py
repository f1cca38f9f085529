"""A person's company as a select that searches companies as the user types.

FAB's QuerySelectField renders (and validates against) every company the
user can see: with 400,000 companies the add page took a minute. This field
renders only the current company, looks a posted id up alone, and the
browser asks `company_choices` for ~20 matches as the user types. FAB's own
Select2AJAXWidget does not fit: it renders an <input> (select2 4, which FAB
ships, needs a <select>) and loads all choices once."""
from __future__ import annotations

from flask import current_app, jsonify, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext, lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import Field, ValidationError

from core.db import db

from ..services.search.company_choices import matching_companies, readable_company

SCRIPT = "company_picker.js"


class CompanyPickerWidget:
    """A <select> holding only the current company; company_picker.js turns
    it into FAB's select2 fed by the view's `company_choices` endpoint."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint

    def __call__(self, field, **kwargs):
        company = field.data
        option = (f'<option value="{company.id}" selected>{escape(company.name)}</option>'
                  if company is not None else "")
        nonce = current_app.jinja_env.globals.get("csp_nonce")
        nonce_attr = f' nonce="{escape(nonce())}"' if nonce else ""
        script = url_for("addon_static_contacts.static", filename=SCRIPT)
        return Markup(
            f'<select id="{escape(field.id)}" name="{escape(field.name)}" '
            f'class="form-control contacts-company-picker" '
            f'data-endpoint="{escape(url_for(self.endpoint))}" '
            f'data-placeholder="{escape(gettext("Type to search companies"))}">'
            f'<option value=""></option>{option}</select>'
            f'<script src="{escape(script)}"{nonce_attr}></script>')


class CompanyPickerField(Field):
    """Holds a Company (or None); a posted id is loaded alone, through the ORM,
    so a company the user may not read is refused like an unknown one."""

    def __init__(self, label=None, validators=None, endpoint="PersonView.company_choices",
                 **kwargs):
        super().__init__(label, validators, widget=CompanyPickerWidget(endpoint), **kwargs)
        self._refused = False

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "") or ""
        self.data = readable_company(db.session, raw) if raw.strip() else None
        self._refused = bool(raw.strip()) and self.data is None

    def pre_validate(self, form):
        if self._refused:
            raise ValidationError(gettext("No such company, or you may not see it."))


class CompanyPicker:
    """Put before a view's RecordView base (PersonView's, and any addon's view
    of a model with a `company`): swaps the company field for the picker and
    serves its matches at the view's own `company_choices`."""

    company_picker_label = _l("Company")
    company_picker_validators: tuple = ()

    def _init_forms(self):
        picker = CompanyPickerField(self.company_picker_label,
                                    validators=list(self.company_picker_validators),
                                    endpoint=f"{type(self).__name__}.company_choices")
        for extra in ("add_form_extra_fields", "edit_form_extra_fields"):
            setattr(self, extra, {**(getattr(self, extra, None) or {}), "company": picker})
        super()._init_forms()

    @expose("/company_choices", methods=["GET"])
    @has_access
    @permission_name("list")  # reading companies the record rules let the user see
    def company_choices(self):
        return jsonify(results=matching_companies(db.session, request.args.get("q", "")))
