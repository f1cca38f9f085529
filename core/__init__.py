"""Crossdock host: app factory, configuration, database, addons, security."""
from .addons import table_owners as _table_owners  # noqa: F401  (before any addon's models)
