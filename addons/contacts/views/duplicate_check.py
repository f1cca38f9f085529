"""Duplicate checks on the company and person forms (add and edit).

Before saving, an e-mail, phone or tax id that another contact already holds
(anyone's: the lookup covers the whole base) is a field error on the field
that brought it. Policy "warn": the error asks to tick "Save anyway", and a
ticked box saves. Policy "block": the error names the existing contact and
nothing saves. After a save, contacts with a similar name in the same company
or e-mail domain are listed as a warning (never blocking).
"""
from __future__ import annotations

from flask import flash, url_for
from flask_babel import gettext, lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import BooleanField
from wtforms.validators import ValidationError

from core.db import db

from ..rules.field_error import ContactFieldError
from ..services.contact_channels import parse_emails, parse_phones
from ..services.duplicates.check import ContactKeys, describe, exact_duplicates, likely_duplicates
from ..services.duplicates.policy import BLOCK, current_policy

CONFIRM = "duplicates_confirmed"
VIEW_OF = {"company": "CompanyView", "person": "PersonView"}


def _keys_of(key_type: str, data) -> ContactKeys:
    keys = ContactKeys()
    if key_type == "tax_id":
        keys.add("tax_id", data)
        return keys
    parse = parse_emails if key_type == "email" else parse_phones
    try:
        lines = parse(data)
    except ContactFieldError:
        return keys  # the field's own validator names the bad line
    for _kind, value in lines:
        keys.add(key_type, value)
    return keys


class ExactDuplicateCheck:
    """WTForms validator of one key field (e-mail lines, phone lines or tax id)."""

    def __init__(self, kind: str, key_type: str):
        self.kind, self.key_type = kind, key_type

    def __call__(self, form, field):
        contact_id = getattr(form, "_id", None)  # FAB sets it on the edit form
        matches = exact_duplicates(db.session, self.kind, _keys_of(self.key_type, field.data),
                                   int(contact_id) if contact_id is not None else None)
        if not matches:
            return
        listed = "; ".join(dict.fromkeys(f"{m.value}: {describe(m)}" for m in matches))
        if current_policy(db.session) == BLOCK:
            raise ValidationError(gettext("Already used by another contact: %(list)s",
                                          list=listed))
        confirm = getattr(form, CONFIRM, None)
        if confirm is None or not confirm.data:
            raise ValidationError(gettext(
                "Already used by another contact: %(list)s. Tick \"Save anyway\" to save "
                "a duplicate.", list=listed))


def _contact_link(kind: str, match) -> Markup:
    if not match.visible:
        return escape(describe(match))
    href = url_for(f"{VIEW_OF[kind]}.show", pk=match.contact_id)
    return Markup(f'<a href="{escape(href)}">{escape(describe(match))}</a>')


class DuplicateCheckMixin:
    """Put before RecordView in a contact view's bases; the view's model names the kind."""

    def __init__(self, *args, **kwargs):
        kind = "company" if self.datamodel.obj.__tablename__ == "contacts_company" else "person"
        self._duplicate_kind = kind
        confirm = BooleanField(_l("Save anyway"), default=False,
                               description=_l("Save although another contact has the "
                                              "same e-mail, phone or tax ID"))
        for extra in ("add_form_extra_fields", "edit_form_extra_fields"):
            fields = dict(getattr(self, extra, None) or {})
            for name, key_type in (("email_lines", "email"), ("phone_lines", "phone")):
                if name in fields:
                    fields[name].kwargs["validators"] = [
                        *fields[name].kwargs.get("validators", []),
                        ExactDuplicateCheck(kind, key_type)]
            fields[CONFIRM] = confirm
            setattr(self, extra, fields)
        self.add_columns = [*self.add_columns, CONFIRM]
        self.edit_columns = [*self.edit_columns, CONFIRM]
        if "tax_id" in self.add_columns:
            self.validators_columns = {
                **self.validators_columns,
                "tax_id": [*self.validators_columns.get("tax_id", []),
                           ExactDuplicateCheck(kind, "tax_id")]}
        super().__init__(*args, **kwargs)

    def _flash_likely(self, item) -> None:
        matches = likely_duplicates(db.session, self._duplicate_kind, item)
        if matches:
            links = Markup(", ").join(_contact_link(self._duplicate_kind, m) for m in matches)
            flash(Markup(escape(gettext("Contacts with a similar name exist: "))) + links,
                  "warning")

    def post_add(self, item):
        super_hook = getattr(super(), "post_add", None)
        if super_hook:
            super_hook(item)
        self._flash_likely(item)

    def post_update(self, item):
        super_hook = getattr(super(), "post_update", None)
        if super_hook:
            super_hook(item)
        self._flash_likely(item)
