"""E-mail addresses: validated, and reduced to the key duplicate detection compares.

`email-validator` checks the syntax and converts internationalised domains
(用户@例子.广告, a@bücher.de) to their normal Unicode form; the key is that form
lower-cased. Deliverability (DNS) is not checked: saving a contact must not
depend on the network.
"""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from .field_error import N_, ContactFieldError


def normalise_email(typed: str, field: str = "email") -> str:
    """The comparison key of `typed`, or ContactFieldError naming `field`."""
    value = (typed or "").strip()
    if not value:
        raise ContactFieldError(field, N_("an e-mail address is required"))
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ContactFieldError(field, N_("'%(value)s' is not a valid e-mail address "
                                           "(%(why)s)"), value=value, why=exc) from None
    return checked.normalized.lower()
