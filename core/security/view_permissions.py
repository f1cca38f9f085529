"""FAB's permission rows for the registered views and menus, written only when
something is missing.

With `FAB_UPDATE_PERMS` on, FAB reconciles the rows of every view as it is
added: about 850 small queries and commits, ~3.5 s of a first start and ~1.5 s
of every later one, in every web process, worker and CLI command. `create_app`
turns that off and calls `ensure_view_permissions` once all views are
registered: one read of the rows, and FAB's full reconciliation only when a
view's permissions or a menu entry differ from the rows (a first start, a new
addon version). Admin's grants on addon models are then set by
`access.sync_role_permissions`, as before.
"""
from __future__ import annotations

from flask_appbuilder.security.sqla.models import (
    Permission, PermissionView, ViewMenu)
from sqlalchemy import select
from sqlalchemy.orm import Session

MENU_ACCESS = "menu_access"


def _wanted(appbuilder) -> set[tuple[str, str]]:
    """(permission, view or menu name) pairs FAB would create for what is registered."""
    pairs = {(perm, view.class_permission_name)
             for view in appbuilder.baseviews for perm in (view.base_permissions or ())}
    if appbuilder.menu is not None:
        for category in appbuilder.menu.get_list():
            pairs.add((MENU_ACCESS, category.name))
            pairs.update((MENU_ACCESS, item.name) for item in category.childs
                         if item.name != "-")
    return pairs


def _existing(session: Session, names: set[str]) -> set[tuple[str, str]]:
    rows = session.execute(
        select(Permission.name, ViewMenu.name)
        .join(PermissionView, PermissionView.permission_id == Permission.id)
        .join(ViewMenu, PermissionView.view_menu_id == ViewMenu.id)
        .where(ViewMenu.name.in_(names)))
    return {tuple(row) for row in rows}


def ensure_view_permissions(appbuilder, session: Session) -> bool:
    """Run FAB's reconciliation if a row is missing or stale; True if it had to."""
    wanted = _wanted(appbuilder)
    if _existing(session, {view for _, view in wanted}) == wanted:
        return False
    appbuilder.add_permissions(update_perms=True)
    return True
