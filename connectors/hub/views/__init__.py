"""The hub's screens (Admin menu "Integrations"): backends, jobs, sync dashboard."""
from __future__ import annotations


def register_views(appbuilder) -> None:
    pass
