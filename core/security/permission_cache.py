"""Role permissions read once per request instead of once per check.

FAB asks the database for every `has_access` (one query per menu entry and
per button): 27 of the ~50 queries of an admin's list page. The mixin loads
the roles' (view, permission) pairs in one query the first time a request
needs them and answers the rest from `g`. Lifecycle operations that change
permissions call `forget_permissions()`, so a response rendered after an
install in the same request sees the new set.
"""
from __future__ import annotations

from flask import g, has_request_context
from flask_appbuilder.security.sqla.models import (
    Permission, PermissionView, Role, ViewMenu, assoc_permissionview_role)
from sqlalchemy import select

_CACHE = "_crossdock_role_permissions"


def forget_permissions() -> None:
    """Drop this request's cached role permissions (after they changed)."""
    if has_request_context():
        g.pop(_CACHE, None)


class PermissionsPerRequest:
    """A SecurityManager mixin: `exist_permission_on_roles` from a per-request set."""

    def exist_permission_on_roles(self, view_name, permission_name, role_ids) -> bool:
        if not has_request_context():
            return super().exist_permission_on_roles(view_name, permission_name, role_ids)
        cache = g.setdefault(_CACHE, {})
        key = tuple(sorted(role_ids))
        if key not in cache:
            rows = self.session.execute(
                select(ViewMenu.name, Permission.name)
                .join(PermissionView, PermissionView.view_menu_id == ViewMenu.id)
                .join(Permission, PermissionView.permission_id == Permission.id)
                .join(assoc_permissionview_role,
                      assoc_permissionview_role.c.permission_view_id == PermissionView.id)
                .join(Role, Role.id == assoc_permissionview_role.c.role_id)
                .where(Role.id.in_(key)))
            cache[key] = {tuple(row) for row in rows}
        return (view_name, permission_name) in cache[key]
