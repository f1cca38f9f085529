"""The one error every contacts validation raises: which field, and why."""
from __future__ import annotations


class ContactFieldError(ValueError):
    """A value a user typed cannot be stored; `field` names the form/API field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
