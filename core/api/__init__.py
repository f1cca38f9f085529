"""Crossdock's REST layer on FAB: the base class addons use, and JSON errors for /api/."""
from .base import CrossdockModelRestApi
from .errors import init_app

__all__ = ["CrossdockModelRestApi", "init_app"]
