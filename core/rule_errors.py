"""The refusal a rule raises (rules import no Flask): which field, and why, in
the reader's language.

Rules mark their messages with `N_` (for the catalogs' extraction) and raise
a `FieldError` subclass; it translates the message when raised, through the
gettext an addon's register() hands to `translate_with` (flask-babel's: the
request's language, English outside a request), then fills its %(name)s
placeholders from the keyword arguments.
"""
from __future__ import annotations

_translate = str  # until an addon's register() hands over gettext: the English msgid


def translate_with(gettext) -> None:
    """Translate the refusals with `gettext(msgid) -> str` from now on."""
    global _translate
    _translate = gettext


def N_(message: str) -> str:
    """Marks a message for extraction; the error translates it when raised."""
    return message


class FieldError(ValueError):
    """A value that cannot be stored; `field` names the form/API field and
    `message` (a lazy text too) says why."""

    def __init__(self, field: str, message: str, **params):
        message = _translate(str(message))
        message = message % params if params else message
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
