"""The one error every contacts validation raises: which field, and why, in
the reader's language (core/rule_errors.py translates it)."""
from __future__ import annotations

from core.rule_errors import N_, FieldError  # noqa: F401  (the other rules import N_ here)


class ContactFieldError(FieldError):
    """A value a user typed cannot be stored; `field` names the form/API field.
    `message` may hold %(name)s placeholders filled from `params` after it is
    translated."""
