"""Admin screen "Custom fields" (Contacts menu): define the fields companies
and people carry beyond the built-in ones. Key and type are fixed once
created (values and the API depend on them). Removing a field goes through a
confirmation page that says how many values go with it."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget, BS3TextFieldWidget, Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from core.db import db
from core.views.record_view import RecordView

from ..models.custom_field import CustomField
from ..rules.field_error import ContactFieldError
from ..services.custom_fields.definition import check_choices, check_key
from ..services.custom_fields.removal import remove_field, values_count

APPLIES_TO = [SelectChoice("company", _l("Companies")), SelectChoice("person", _l("People"))]
FIELD_TYPES = [SelectChoice("text", _l("Text")), SelectChoice("number", _l("Number")),
               SelectChoice("date", _l("Date")), SelectChoice("choice", _l("Choice")),
               SelectChoice("boolean", _l("Yes/no")), SelectChoice("user", _l("User"))]


def _key_is_free(form, field):
    try:
        field.data = check_key(db.session, form.applies_to.data, field.data)
    except ContactFieldError as exc:
        raise ValidationError(exc.message) from None


def _choices_fit_type(form, field):
    if hasattr(form, "field_type"):
        field_type = form.field_type.data
    else:  # the edit form: the type is fixed, read it from the stored field
        stored = db.session.get(CustomField, getattr(form, "_id", None) or 0)
        field_type = stored.field_type if stored else None
    try:
        check_choices(field_type, field.data)
    except ContactFieldError as exc:
        raise ValidationError(exc.message) from None


def _common_fields() -> dict:
    """Fields of both forms. The flags are plain checkboxes: FAB would make a
    non-nullable Boolean column "required", i.e. always ticked."""
    return {
        "choices": TextAreaField(_l("Choices"), widget=BS3TextAreaFieldWidget(),
                                 description=_l("For a choice field: one choice per line."),
                                 validators=[_choices_fit_type]),
        "required": BooleanField(_l("Required"), default=False),
        "show_in_list": BooleanField(_l("Show in list"), default=False,
                                     description=_l("Show as a column on the list page.")),
        "active": BooleanField(_l("Active"), default=True),
    }


class CustomFieldView(RecordView):
    datamodel = SQLAInterface(CustomField)
    list_title = _l("Custom fields")
    show_title, add_title, edit_title = _l("Custom field"), _l("Add custom field"), _l("Edit custom field")
    list_columns = ["applies_to", "key", "label", "field_type", "required", "show_in_list",
                    "sequence", "active"]
    add_columns = ["applies_to", "key", "label", "field_type", "choices", "required",
                   "show_in_list", "sequence", "active"]
    edit_columns = ["label", "choices", "required", "show_in_list", "sequence", "active"]
    show_columns = add_columns
    base_order = ("applies_to", "asc")
    label_columns = {"applies_to": _l("Applies to"), "key": _l("Key"), "label": _l("Label"),
                     "field_type": _l("Type"), "choices": _l("Choices"),
                     "required": _l("Required"), "show_in_list": _l("Show in list"),
                     "sequence": _l("Sequence"), "active": _l("Active")}
    add_form_extra_fields = {
        "applies_to": SelectField(_l("Applies to"), choices=APPLIES_TO, widget=Select2Widget()),
        "field_type": SelectField(_l("Type"), choices=FIELD_TYPES, widget=Select2Widget()),
        "key": StringField(_l("Key"), widget=BS3TextFieldWidget(),
                           description=_l("Names the field in the REST API, imports and "
                                          "exports; fixed once created."),
                           validators=[DataRequired(), _key_is_free]),
        **_common_fields(),
    }
    edit_form_extra_fields = _common_fields()

    @expose("/delete/<pk>", methods=["GET", "POST"])
    @has_access
    def delete(self, pk):
        """FAB's delete would drop the values unasked: go to the confirmation page."""
        return redirect(url_for(".remove", pk=pk))

    @expose("/remove/<pk>", methods=["GET", "POST"])
    @has_access
    def remove(self, pk):
        """GET: what will be deleted; POST (with the CSRF token): delete it."""
        field = self.datamodel.get(pk)
        if field is None:
            abort(404)
        if request.method == "GET":
            return self.render_template("contacts/custom_field_remove.html", field=field,
                                        count=values_count(db.session, field),
                                        title=_("Remove custom field"))
        label = field.label
        count = remove_field(db.session, field)
        flash(_("Removed the field “%(label)s” and %(count)d values.", label=label,
                count=count), "success")
        return redirect(url_for(".list"))
