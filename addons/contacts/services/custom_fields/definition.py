"""What makes a custom field definition valid: a slug key unique per kind of
contact, and at least one choice for a choice field. The admin screen checks
these on its form; anything else that creates fields should call them too."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models.custom_field import CustomField
from ...rules.field_error import ContactFieldError

KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def check_key(session: Session, applies_to: str, key: str) -> str:
    """The key if it is a free slug for `applies_to`; ContactFieldError("key", why) otherwise."""
    key = (key or "").strip()
    if not KEY.match(key):
        raise ContactFieldError("key", _("Use lower-case letters, digits and _ "
                                         "(starting with a letter), at most 64."))
    taken = session.scalar(select(CustomField.id).where(
        CustomField.applies_to == applies_to, CustomField.key == key))
    if taken is not None:
        raise ContactFieldError("key", _("Another field of this kind already uses “%(key)s”.",
                                         key=key))
    return key


def check_choices(field_type: str, choices: str | None) -> None:
    """A choice field needs at least one choice (one per line)."""
    if field_type == "choice" and not any(line.strip() for line in (choices or "").splitlines()):
        raise ContactFieldError("choices", _("A choice field needs at least one choice, "
                                             "one per line."))
