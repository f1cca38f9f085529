"""The password rule, one place for every way a password is set: FAB's user
screens (through FAB_PASSWORD_COMPLEXITY_VALIDATOR) and a user's own profile.

At least MIN_LENGTH characters, letters and at least one digit or symbol, not
the user name nor containing it, and not one of a few passwords every list of
leaked passwords starts with.
"""
from __future__ import annotations

from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 10
_COMMON = {"password", "passw0rd", "12345678", "123456789", "1234567890", "qwertyuiop",
           "iloveyou", "admin123", "welcome1", "11111111", "abcd1234", "a1234567"}


def password_problem(password: str, username: str = "") -> str | None:
    """What is wrong with `password`, in the user's language, or None."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return str(_l("A password needs at least %(n)d characters.", n=MIN_LENGTH))
    if not any(c.isalpha() for c in password) or all(c.isalpha() for c in password):
        return str(_l("A password needs letters and at least one digit or symbol."))
    lowered = password.lower()
    if lowered in _COMMON or lowered.rstrip("!.1") in _COMMON:
        return str(_l("This password is too common."))
    if username and username.lower() in lowered:
        return str(_l("A password may not contain the user name."))
    return None


def fab_validator(password: str) -> None:
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: FAB's add-user and reset-password forms."""
    problem = password_problem(password)
    if problem:
        raise PasswordComplexityValidationError(problem)
