"""Crossdock's REST layer on FAB: the base class addons use, and JSON errors for /api/."""
from flask import Flask

from . import errors
from .base import CrossdockModelRestApi
from .rison_schemas import use_compiled_schemas

__all__ = ["CrossdockModelRestApi", "init_app"]


def init_app(app: Flask) -> None:
    """Call after FAB is initialised (its JWT manager exists) and before other hooks."""
    errors.init_app(app)
    use_compiled_schemas()
