"""Core screens: Modules, Audit log, Backups, Teams, and the language switch."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l


def register_core_views(appbuilder) -> None:
    from ..home_tiles import add_tile
    from .audit_log import AuditLogView
    from .backup_runs import BackupRunView, backup_tile
    from .modules import ModulesView
    from .preferences import PreferencesView
    from .profile import ProfileView
    from .static_assets import register_static_assets
    from .teams import TeamView

    register_static_assets(current_app)  # vendored JS (Chart.js) under /static/crossdock/

    appbuilder.add_view(ModulesView, "Modules", label=_l("Modules"), icon="fa-cubes",
                        category="Settings", category_label=_l("Settings"),
                        category_icon="fa-cogs")
    appbuilder.add_view(TeamView, "Sales Teams", label=_l("Sales Teams"), icon="fa-users",
                        category="Settings")
    appbuilder.add_view(AuditLogView, "Audit Log", label=_l("Audit Log"), icon="fa-history",
                        category="Settings")
    appbuilder.add_view(BackupRunView, "Backups", label=_l("Backups"), icon="fa-database",
                        category="Settings")
    add_tile(current_app, backup_tile, order=95)
    appbuilder.add_view_no_menu(PreferencesView)
    appbuilder.add_view_no_menu(ProfileView)
