"""The one error every contacts validation raises: which field, and why, in
the reader's language.

Rules import no Flask (tests/unit/test_import_layers.py): they mark their
messages with `N_` (for the catalog's extraction) and the error translates
them through the function the addon's register() hands to `translate_with`
(flask-babel's gettext: the request's language, English outside a request).
"""
from __future__ import annotations

_translate = str  # until register() hands over gettext: the English msgid


def translate_with(gettext) -> None:
    """Translate the refusals with `gettext(msgid) -> str` from now on."""
    global _translate
    _translate = gettext


def N_(message: str) -> str:
    """Marks a message for extraction; the error translates it when raised."""
    return message


class ContactFieldError(ValueError):
    """A value a user typed cannot be stored; `field` names the form/API field.
    `message` may hold %(name)s placeholders filled from `params` after it is
    translated."""

    def __init__(self, field: str, message: str, **params):
        message = _translate(message)
        message = message % params if params else message
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
