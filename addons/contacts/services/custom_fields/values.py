"""Custom fields: reading, parsing and writing the values of the fields an
admin defines on companies and people (models/custom_field.py).

Public interface (the forms, the REST API, import, export and merge use it):

- ``fields_for(session, kind) -> list[CustomField]``: the active fields of
  ``kind`` ("company" or "person"), in the admin's order (sequence, then id).
- ``parse_value(field, text) -> value``: the stored value for what a user
  typed in a form or an import cell (or sent in JSON). Empty -> None.
  text: the text, stripped. number: Decimal; "," or "." as decimal mark
  ("1,5" and "1.5"), with both present the last one is the decimal mark and
  the other groups thousands ("1.234,5", "1,234.5"); several "," alone group
  thousands ("1,234,567"); full-width digits accepted. date: datetime.date
  from "2026-11-23", "2026/11/23", "2026.11.23" or "2026年11月23日".
  boolean: yes/no, y/n, true/false, on/off, 1/0, 是/否. choice: one of the
  field's choices (case-insensitive, returned as the admin spelled it). user:
  the user's id, found by username or e-mail (or given as an id).
  Raises ContactFieldError(field.key, message).
- ``values_of(session, contact) -> {key: value}``: the contact's values of its
  active fields; fields without a value are absent. A user field gives the
  username, so that an exported value parses back.
- ``set_values(session, contact, {key: value})``: parses every value (typed
  values pass through parse_value unchanged), refuses unknown keys, removes a
  value set to None or "", then checks that every required field has a value.
  Raises ContactFieldError naming the key; nothing is flushed before the
  checks passed. Marks the contact modified, so the record rules' write check
  covers its values, and runs in the caller's transaction. Changes to a
  stored contact are also audited as "custom fields changed" on the contact
  (its history shows them), besides the value rows' own audit.
- ``values_for(session, kind, ids) -> {id: {key: value}}``: values_of in bulk
  (list pages, exports). Contacts without values, and contacts the reader's
  record rules hide, are absent: the query joins the contact entity.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import flag_modified

from core.security.audit import record_event

from ...models.company import Company
from ...models.custom_field import CustomField
from ...models.custom_value import VALUE_COLUMN, CustomValue
from ...models.person import Person
from ...rules.field_error import ContactFieldError

CONTACT_MODELS = {"company": Company, "person": Person}
PARENT_COLUMN = {"company": "company_id", "person": "person_id"}

_TRUE = {"yes", "y", "true", "on", "1", "是", "对"}
_FALSE = {"no", "n", "false", "off", "0", "否", "不"}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_SIX_PLACES = Decimal("0.000001")
_MAX_NUMBER = Decimal(10) ** 18  # Numeric(24, 6): 18 digits before the point


def kind_of(contact) -> str:
    """"company" or "person" for a contact instance."""
    for kind, model in CONTACT_MODELS.items():
        if isinstance(contact, model):
            return kind
    raise TypeError(f"not a contact: {contact!r}")


def fields_for(session: Session, kind: str) -> list[CustomField]:
    """The active custom fields of companies or people, in the admin's order."""
    return list(session.scalars(
        select(CustomField).where(CustomField.applies_to == kind, CustomField.active)
        .order_by(CustomField.sequence, CustomField.id)))


# --- parsing ---------------------------------------------------------------

def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(field, value) -> str:
    if isinstance(value, (bool, dict, list)):
        raise ContactFieldError(field.key, _("must be text"))
    return str(value).strip()


def _number(field, value) -> Decimal:
    if isinstance(value, bool):
        raise ContactFieldError(field.key, _("must be a number"))
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
        text = text.replace("\u00a0", "").replace("'", "")
        if "," in text and "." in text:  # the last mark is the decimal one
            grouping = "," if text.rfind(".") > text.rfind(",") else "."
            text = text.replace(grouping, "").replace(",", ".")
        elif text.count(",") > 1:
            text = text.replace(",", "")
        else:
            text = text.replace(",", ".")
        if not _NUMBER.match(text):
            raise ContactFieldError(field.key, _("“%(value)s” is not a number", value=value))
        number = Decimal(text)
    if not number.is_finite() or abs(number) >= _MAX_NUMBER:
        raise ContactFieldError(field.key, _("“%(value)s” is not a number", value=value))
    return number.quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)


def _date(field, value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE.match(text)
    try:
        if match:
            return dt.date(*(int(part) for part in match.groups()))
        return dt.date.fromisoformat(text[:10]) if len(text) > 10 and text[10] in "T " \
            else dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise ContactFieldError(field.key, _("“%(value)s” is not a date (e.g. 2026-11-23)",
                                         value=value))


def _boolean(field, value) -> bool:
    if isinstance(value, bool):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ContactFieldError(field.key, _("“%(value)s” is not yes or no", value=value))


def _choice(field, value) -> str:
    text = _text(field, value)
    for choice in field.choice_list():
        if choice.casefold() == text.casefold():
            return choice
    raise ContactFieldError(field.key, _("“%(value)s” is not one of: %(choices)s", value=text,
                                         choices=", ".join(field.choice_list())))


def _user(field, value) -> int:
    session = object_session(field)
    if session is None:
        from core.db import db  # a detached definition: look the user up in the app's session
        session = db.session
    if isinstance(value, User):
        return value.id
    if isinstance(value, int) and not isinstance(value, bool):
        user = session.get(User, value)
    else:
        text = str(value).strip()
        user = session.scalars(select(User).where(or_(
            User.username == text, func.lower(User.email) == text.lower()))).first()
    if user is None:
        raise ContactFieldError(field.key, _("no user “%(value)s”", value=value))
    return user.id


_PARSERS = {"text": _text, "number": _number, "date": _date, "boolean": _boolean,
            "choice": _choice, "user": _user}


def parse_value(field: CustomField, text):
    """The value to store for `text` (None when empty); ContactFieldError if it does not fit."""
    if _blank(text):
        return None
    value = _PARSERS[field.field_type](field, text)
    return None if value == "" else value


# --- reading ---------------------------------------------------------------

def plain_number(number: Decimal) -> Decimal:
    """12.500000 -> 12.5 and 100.000000 -> 100 (never 1E+2)."""
    return number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()


def _stored(field_type: str, row: CustomValue, username: str | None):
    if field_type == "user":
        return username
    value = getattr(row, VALUE_COLUMN[field_type])
    if field_type == "number" and value is not None:
        return plain_number(Decimal(value))
    return value


def _value_rows(kind: str):
    """CustomValue rows of active fields with the field's key and type and the user's name,
    joined to the contact entity so that the record rules filter them."""
    model = CONTACT_MODELS[kind]
    parent = getattr(CustomValue, PARENT_COLUMN[kind])
    return (select(parent, CustomField.key, CustomField.field_type, CustomValue,
                   User.username)
            .join(CustomField, CustomValue.field_id == CustomField.id)
            .join(model, parent == model.id)
            .outerjoin(User, CustomValue.value_user_id == User.id)
            .where(CustomField.active, CustomField.applies_to == kind))


def values_of(session: Session, contact) -> dict:
    """{key: value} of the contact's active custom fields that hold a value."""
    if contact.id is None:
        return {}
    return values_for(session, kind_of(contact), [contact.id]).get(contact.id, {})


def values_for(session: Session, kind: str, ids) -> dict[int, dict]:
    """{contact id: {key: value}} for many contacts at once (absent: no values or not visible)."""
    ids = list(ids)
    result: dict[int, dict] = {}
    parent = getattr(CustomValue, PARENT_COLUMN[kind])
    for start in range(0, len(ids), 500):  # SQLite limits bound parameters
        rows = session.execute(_value_rows(kind).where(parent.in_(ids[start:start + 500])))
        for contact_id, key, field_type, row, username in rows:
            value = _stored(field_type, row, username)
            if value is not None:
                result.setdefault(contact_id, {})[key] = value
    return result


# --- writing ---------------------------------------------------------------

def _loggable(value):
    if isinstance(value, Decimal):
        return str(plain_number(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _stored_rows(session: Session, kind: str, contact) -> dict[int, CustomValue]:
    if contact.id is None:
        return {}
    parent = getattr(CustomValue, PARENT_COLUMN[kind])
    with session.no_autoflush:  # the contact may be half-edited: do not flush it here
        return {row.field_id: row for row in session.scalars(
            select(CustomValue).where(parent == contact.id))}


def set_values(session: Session, contact, values: dict) -> None:
    """Write `values` ({key: value}) of the contact's custom fields; see the module docstring."""
    kind = kind_of(contact)
    with session.no_autoflush:
        fields = {field.key: field for field in fields_for(session, kind)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ContactFieldError(unknown[0], _("no such custom field"))
    parsed = {key: parse_value(fields[key], value) for key, value in values.items()}
    stored = _stored_rows(session, kind, contact)
    for field in fields.values():
        if not field.required:
            continue
        row = stored.get(field.id)
        has_value = parsed[field.key] is not None if field.key in parsed else (
            row is not None and getattr(row, VALUE_COLUMN[field.field_type]) is not None)
        if not has_value:
            raise ContactFieldError(field.key, _("“%(label)s” is required", label=field.label))
    changes = {}
    for key, value in parsed.items():
        field = fields[key]
        row = stored.get(field.id)
        old = getattr(row, VALUE_COLUMN[field.field_type]) if row is not None else None
        if old != value:
            changes[key] = [_loggable(old), _loggable(value)]
        if value is None:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = CustomValue(field=field)
            # through the relationship: a contact not yet flushed has no id
            setattr(row, kind, contact)
            session.add(row)
        setattr(row, VALUE_COLUMN[field.field_type], value)
    if parsed and contact.id is not None:
        # the contact's write rule (core/security/record_rules.py) checks dirty contacts
        # only: a change to its values alone must be checked as a change to it
        flag_modified(contact, "name")
        if changes:  # the value rows are audited too; this puts them on the contact's history
            record_event(session, "custom fields changed", type(contact).__name__, contact.id,
                         changes)
