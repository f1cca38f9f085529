"""FAB's permission rows for the registered views and menus, written in one go
and only when they differ from what is registered.

With `FAB_UPDATE_PERMS` on, FAB reconciles the rows of every view as it is
added: about 850 small queries and commits, ~3.5 s of a first start and ~1.5 s
of every later one, in every web process, worker and CLI command. `create_app`
turns that off and calls `ensure_view_permissions` once all views are
registered: one read of the rows and, only when they differ (a first start, a
new addon version), one flush that does what FAB's reconciliation does: the
missing (permission, view) rows created and granted to Admin, the ones a view
no longer has removed. Admin's grants on addon models are then set by
`access.sync_role_permissions`, as before.
"""
from __future__ import annotations

from flask_appbuilder.security.sqla.models import (
    Permission, PermissionView, Role, ViewMenu, assoc_permissionview_role)
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
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


def _existing(session: Session, names: set[str]) -> dict[tuple[str, str], int]:
    rows = session.execute(
        select(Permission.name, ViewMenu.name, PermissionView.id)
        .join(PermissionView, PermissionView.permission_id == Permission.id)
        .join(ViewMenu, PermissionView.view_menu_id == ViewMenu.id)
        .where(ViewMenu.name.in_(names)))
    return {(perm, view): pv_id for perm, view, pv_id in rows}


def _by_name(session: Session, model, names: set[str]) -> dict[str, object]:
    found = {row.name: row for row in session.scalars(select(model).where(model.name.in_(names)))}
    for name in names - found.keys():
        found[name] = model(name=name)
        session.add(found[name])
    return found


def ensure_view_permissions(appbuilder, session: Session) -> bool:
    """Make the rows match the registered views; True if anything was written."""
    try:
        with session.begin_nested():
            return _reconcile(appbuilder, session)
    except IntegrityError:  # another process's first start wrote them meanwhile
        with session.begin_nested():
            return _reconcile(appbuilder, session)


def _reconcile(appbuilder, session: Session) -> bool:
    wanted = _wanted(appbuilder)
    existing = _existing(session, {view for _, view in wanted})
    missing, stale = wanted - existing.keys(), existing.keys() - wanted
    if not missing and not stale:
        return False
    if stale:
        ids = [existing[pair] for pair in stale]
        session.execute(delete(assoc_permissionview_role)
                        .where(assoc_permissionview_role.c.permission_view_id.in_(ids)))
        session.execute(delete(PermissionView).where(PermissionView.id.in_(ids)))
    if missing:
        permissions = _by_name(session, Permission, {perm for perm, _ in missing})
        views = _by_name(session, ViewMenu, {view for _, view in missing})
        created = [PermissionView(permission=permissions[perm], view_menu=views[view])
                   for perm, view in missing]
        session.add_all(created)
        admin = session.scalars(
            select(Role).where(Role.name == appbuilder.sm.auth_role_admin)).one()
        admin.permissions.extend(created)
    session.flush()
    return True
