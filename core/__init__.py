"""Crossdock host: app factory, configuration, database, addons, security."""
