"""Marshmallow validators over the contacts services: a 422 naming the field
before the model is built, instead of a 500 from the model's own check."""
from __future__ import annotations

from marshmallow import ValidationError

from ..rules.email_normalisation import normalise_email
from ..rules.field_error import ContactFieldError
from ..rules.phone_normalisation import normalise_phone
from ..rules.tax_id_validation import normalise_tax_id


def _check(normalise):
    def validator(value):
        if value is None or not str(value).strip():
            return
        try:
            normalise(value)
        except ContactFieldError as exc:
            raise ValidationError(exc.message) from None
    return validator


# FAB's schema converter applies these by column name, nested schemas included:
# "number" and "email" are the columns of ContactPhone and ContactEmail
VALIDATORS = {
    "tax_id": _check(normalise_tax_id),
    "number": _check(normalise_phone),
    "email": _check(normalise_email),
}
