"""The hub's screens under the menu "Integrations": backends (Admin), sync
jobs (Admin acts, Finance reads), bindings, the sync dashboard (Admin and
Finance), and /metrics for Prometheus.

The hub is a platform extension, not an addon: core grants addons' views
from their access.csv, and gives Admin every view; the Finance grants below
are the hub's own, re-applied at every start (idempotent).
"""
from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import get_babel, lazy_gettext as _l
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy.exc import IntegrityError

from core.security.audit_actions import declare_actions
from core.security.view_permissions import ensure_view_permissions

HUB_DIR = Path(__file__).resolve().parents[1]
CATEGORY = "Integrations"
FINANCE = "Finance"
# (permission, view menu) Finance holds: read the jobs and the dashboard
FINANCE_GRANTS = (("can_list", "HubJobView"), ("can_show", "HubJobView"),
                  ("can_list", "HubDashboardView"), ("menu_access", "Sync jobs"),
                  ("menu_access", "Sync dashboard"), ("menu_access", CATEGORY))


def register_templates(app) -> None:
    """connectors/hub/templates after core's (templates named hub/...)."""
    app.jinja_loader = ChoiceLoader([app.jinja_loader,
                                     FileSystemLoader(str(HUB_DIR / "templates"))])


def register_translations(app) -> None:
    """Add the hub's catalog (connectors/hub/i18n) to flask-babel's directories.

    create_app computes BABEL_TRANSLATION_DIRECTORIES from core and the addons
    before extensions run, and flask-babel reads that list once, into its
    per-app configuration; its catalogs are loaded lazily per request, so a
    directory appended here is read like the others (merged last).
    """
    directories = get_babel(app).translation_directories
    folder = str(HUB_DIR / "i18n")
    if folder not in directories:
        directories.append(folder)


def grant_finance(appbuilder) -> None:
    sm = appbuilder.sm
    ensure_view_permissions(appbuilder, sm.session)  # on a first start the rows come now
    role = sm.find_role(FINANCE)
    if role is None:
        return
    try:
        with sm.session.begin_nested():
            for permission, view_menu in FINANCE_GRANTS:
                pv = sm.find_permission_view_menu(permission, view_menu)
                if pv is not None and pv not in role.permissions:
                    role.permissions.append(pv)
            sm.session.flush()
    except IntegrityError:  # a concurrent first start granted them meanwhile
        pass


def register_views(appbuilder) -> None:
    from ..metrics import register_metrics
    from .backend_view import BackendView
    from .dashboard_view import HubDashboardView
    from .job_view import BindingView, HubJobView

    app = current_app._get_current_object()  # create_app runs this in its app context
    register_templates(app)
    register_translations(app)
    declare_actions({"hub_retry": _l("Sync job retried"), "hub_cancel": _l("Sync job cancelled"),
                     "hub_bind": _l("Linked to a remote record")})
    appbuilder.add_view(HubDashboardView, "Sync dashboard", label=_l("Sync dashboard"),
                        icon="fa-tachometer", category=CATEGORY, category_label=_l("Integrations"),
                        category_icon="fa-exchange")
    appbuilder.add_view(HubJobView, "Sync jobs", label=_l("Sync jobs"), icon="fa-tasks",
                        category=CATEGORY)
    appbuilder.add_view(BindingView, "Bindings", label=_l("Bindings"), icon="fa-link",
                        category=CATEGORY)
    appbuilder.add_view(BackendView, "Backends", label=_l("Backends"), icon="fa-server",
                        category=CATEGORY)
    grant_finance(appbuilder)
    register_metrics(app)
