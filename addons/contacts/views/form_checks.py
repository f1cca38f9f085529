"""WTForms validators over the contacts services: a field error on the form
instead of a flash after the fact."""
from __future__ import annotations

from wtforms.validators import ValidationError

from ..rules.field_error import ContactFieldError


class ServiceCheck:
    """Runs `check(value)` on non-empty input; a ContactFieldError becomes the field's error."""

    def __init__(self, check):
        self.check = check

    def __call__(self, form, field):
        if not field.data or not str(field.data).strip():
            return
        try:
            self.check(field.data)
        except ContactFieldError as exc:
            raise ValidationError(exc.message) from None
