"""Phone numbers: validated and stored in E.164 (+8613800138000).

A number typed without a country code is read in `region`; when the caller
names none (the model's validator, forms, REST, imports), in the deployment's
default region, the setting CROSSDOCK_DEFAULT_PHONE_REGION (CN unless
configured), which settings.configured() reads from the running app.
"""
from __future__ import annotations

import phonenumbers

from ..settings import configured
from .field_error import ContactFieldError


def default_region() -> str:
    """The deployment's region for numbers typed without +country code."""
    return configured().default_phone_region


def normalise_phone(typed: str, region: str | None = None, field: str = "phone") -> str:
    """The E.164 form of `typed`, or ContactFieldError naming `field`."""
    value = (typed or "").strip()
    if not value:
        raise ContactFieldError(field, "a phone number is required")
    try:
        parsed = phonenumbers.parse(value, region or default_region())
    except phonenumbers.NumberParseException:
        raise ContactFieldError(field, f"'{value}' is not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ContactFieldError(field, f"'{value}' is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
