"""Phone numbers: validated and stored in E.164 (+8613800138000), the extension apart.

A number typed without a country code is read in `region`; when the caller
names none (the model's validator, forms, REST, imports), in the deployment's
default region, the setting CROSSDOCK_DEFAULT_PHONE_REGION (CN unless
configured), which settings.configured() reads from the running app.

Extensions are read by phonenumbers ("ext. 123", "x123", "#123"); the Chinese
ways of writing one ("转 123", "分机 123", "-转123") are rewritten to "ext."
first. The E.164 form never holds the extension (duplicates compare the line);
`phone_extension` gives it.
"""
from __future__ import annotations

import re

import phonenumbers

from ..settings import configured
from .field_error import N_, ContactFieldError

CHINESE_EXTENSION = re.compile(r"\s*[-－]?\s*(?:转|轉|分机|分機)\s*[:：]?\s*(?=\d+\s*$)")


def default_region() -> str:
    """The deployment's region for numbers typed without +country code."""
    return configured().default_phone_region


def _parsed(typed: str, region: str | None, field: str):
    value = (typed or "").strip()
    if not value:
        raise ContactFieldError(field, N_("a phone number is required"))
    try:
        parsed = phonenumbers.parse(CHINESE_EXTENSION.sub(" ext. ", value),
                                    region or default_region())
    except phonenumbers.NumberParseException:
        raise ContactFieldError(field, N_("'%(value)s' is not a phone number"),
                                value=value) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ContactFieldError(field, N_("'%(value)s' is not a valid phone number"),
                                value=value)
    return parsed


def normalise_phone(typed: str, region: str | None = None, field: str = "phone") -> str:
    """The E.164 form of `typed` (without extension), or ContactFieldError naming `field`."""
    return phonenumbers.format_number(_parsed(typed, region, field),
                                      phonenumbers.PhoneNumberFormat.E164)


def phone_extension(typed: str, region: str | None = None) -> str | None:
    """The extension written in `typed` ("021-12345678 转 123" -> "123"), or None."""
    try:
        return _parsed(typed, region, "phone").extension or None
    except ContactFieldError:
        return None
