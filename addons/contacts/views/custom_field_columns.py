"""Custom fields on the company and person screens: add/edit forms, show
page, list columns (fields with "show in list") and list filters.

FAB builds its forms, filters and search form once, when the view is
created; custom fields are defined at run time and must show in every
process without a restart. So the mixin extends RecordView's add/edit forms,
search form and filters (`extend_form`, `extend_search_form`,
`extend_filters`: during a request, FAB's object extended with the fields
defined now, read once per request), and patches the widgets FAB builds. Values are read and written only through services/custom_fields/values.py.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import g, has_request_context
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, Select2Widget
from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, ValidationError

from core.db import db
from core.views.date_inputs import DateInput

from ..models.custom_field import CustomField
from ..rules.field_error import ContactFieldError
from ..services.custom_fields.filters import (column_of, current_fields, kind_of_model,
                                             with_custom_columns)
from ..services.custom_fields.values import (parse_value, plain_number, set_values, values_for,
                                             values_of)


def display(value) -> str:
    """A value as a page shows it."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        return str(plain_number(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


class _Parses:
    """WTForms validator: the field's value must parse for the custom field."""

    def __init__(self, field: CustomField):
        self.field = field

    def __call__(self, form, wt_field):
        try:
            parse_value(self.field, wt_field.data)
        except ContactFieldError as exc:
            raise ValidationError(exc.message) from None


def _user_choices() -> list[SelectChoice]:
    names = db.session.scalars(select(User.username).where(User.active.is_(True))
                               .order_by(User.username))
    return [SelectChoice("", ""), *(SelectChoice(n) for n in names)]


def form_field(field: CustomField, for_search: bool = False):
    """The WTForms field of a custom field (add/edit form, or the list's filter row)."""
    label, kind = field.label, field.field_type
    if kind == "boolean":
        if for_search:
            return SelectField(label, choices=[SelectChoice("yes", _("Yes")),
                                               SelectChoice("no", _("No"))],
                               widget=Select2Widget())
        return BooleanField(label, default=False)
    checks = [] if for_search else [
        DataRequired() if field.required else Optional(), _Parses(field)]
    if kind == "choice":
        choices = [SelectChoice("", ""), *(SelectChoice(c) for c in field.choice_list())]
        return SelectField(label, choices=choices,
                           widget=Select2Widget(), validators=checks)
    if kind == "user":
        return SelectField(label, choices=_user_choices(), widget=Select2Widget(),
                           validators=checks)
    widget = DateInput() if kind == "date" else BS3TextFieldWidget()
    return StringField(label, widget=widget, validators=checks)


class CustomValuesForm:
    """Mixed into the add/edit form class built per request."""

    _custom_fields: list[CustomField] = []

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data=data, extra_filters=extra_filters, **kwargs)
        if obj is not None and hasattr(obj, "__tablename__") and not self.is_submitted():
            values = values_of(db.session, obj)  # the edit form shows the stored values
            for field in self._custom_fields:
                value = values.get(field.key)
                self[column_of(field)].data = (
                    value if field.field_type == "boolean" else display(value) or None)

    def custom_values(self) -> dict:
        values = {}
        for field in self._custom_fields:
            data = self[column_of(field)].data
            if field.field_type == "boolean":
                # an unticked box: "no" for a required field, else no value at all
                data = True if data else (False if field.required else None)
            values[field.key] = data
        return values

    def populate_obj(self, obj):
        super().populate_obj(obj)
        # runs before FAB adds/commits the contact: one transaction for both
        set_values(db.session, obj, self.custom_values())


class CustomFieldColumns:
    """Put before RecordView in the contact views' bases."""

    # --- per request -------------------------------------------------------------
    def _custom_kind(self) -> str:
        return kind_of_model(self.datamodel.obj)

    def _fields_now(self, listed_only: bool = False) -> list[CustomField]:
        if not has_request_context():
            return []
        fields = current_fields(db.session, self._custom_kind())
        return [f for f in fields if f.show_in_list] if listed_only else fields

    def _per_request(self, name: str, build):
        cache = g.setdefault("_contacts_custom_views", {})
        key = (id(self), name)
        if key not in cache:
            cache[key] = build()
        return cache[key]

    def _with_fields(self, name: str, base, for_search: bool = False):
        fields = self._fields_now()
        if base is None or not fields:
            return base

        def build():
            attrs = {column_of(f): form_field(f, for_search) for f in fields}
            if for_search:
                return type(base.__name__, (base,), attrs)
            return type(base.__name__, (CustomValuesForm, base),
                        {**attrs, "_custom_fields": fields})
        return self._per_request(name, build)

    def extend_form(self, name: str, base):
        """RecordView's add/edit form (with other addons' fieldsets) plus the custom fields."""
        base = super().extend_form(name, base)
        return None if base is None else self._with_fields(name, base)

    def extend_search_form(self, base):
        """RecordView's search form (with other addons' columns) plus the custom fields."""
        base = super().extend_search_form(base)
        return None if base is None else self._with_fields("search_form", base,
                                                           for_search=True)

    def extend_filters(self, base):
        base = super().extend_filters(base)
        fields = self._fields_now()
        if base is None or not fields:
            return base
        return self._per_request("_filters", lambda: with_custom_columns(base, fields))

    # --- widgets -----------------------------------------------------------------
    def _labels(self, fields, labels: dict) -> dict:
        return {**labels, **{column_of(f): f.label for f in fields}}

    def _get_add_widget(self, form, exclude_cols=None, widgets=None):
        widgets = super()._get_add_widget(form, exclude_cols=exclude_cols, widgets=widgets)
        args = widgets["add"].template_args
        args["include_cols"] = [*args["include_cols"], *map(column_of, self._fields_now())]
        return widgets

    def _get_edit_widget(self, form, exclude_cols=None, widgets=None):
        widgets = super()._get_edit_widget(form, exclude_cols=exclude_cols, widgets=widgets)
        args = widgets["edit"].template_args
        args["include_cols"] = [*args["include_cols"], *map(column_of, self._fields_now())]
        return widgets

    def _get_show_widget(self, pk, item, widgets=None, actions=None, show_fieldsets=None):
        widgets = super()._get_show_widget(pk, item, widgets=widgets, actions=actions,
                                           show_fieldsets=show_fieldsets)
        fields = self._fields_now()
        if fields:
            values = values_of(db.session, item)
            args = widgets["show"].template_args
            args["include_columns"] = [*args["include_columns"], *map(column_of, fields)]
            args["value_columns"] = [*args["value_columns"],
                                     *(display(values.get(f.key)) for f in fields)]
            args["label_columns"] = self._labels(fields, args["label_columns"])
        return widgets

    def _get_list_widget(self, filters, **kwargs):
        widgets = super()._get_list_widget(filters, **kwargs)
        fields = self._fields_now(listed_only=True)
        if fields:
            args = widgets["list"].template_args
            rows = list(args["value_columns"])
            values = values_for(db.session, self._custom_kind(), args["pks"])
            for pk, row in zip(args["pks"], rows):
                for field in fields:
                    row[column_of(field)] = display(values.get(pk, {}).get(field.key))
            args["value_columns"] = rows
            args["include_columns"] = [*args["include_columns"], *map(column_of, fields)]
            args["label_columns"] = self._labels(fields, args["label_columns"])
        return widgets

    def _get_search_widget(self, form=None, exclude_cols=None, widgets=None):
        widgets = super()._get_search_widget(form=form, exclude_cols=exclude_cols,
                                             widgets=widgets)
        # search_columns is a class attribute of each view: extend the widget's
        args = widgets["search"].template_args
        args["include_cols"] = [*args["include_cols"], *map(column_of, self._fields_now())]
        return widgets
