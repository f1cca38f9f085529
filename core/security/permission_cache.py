"""Role permissions (and the public role's) read once per request instead of
once per check.

FAB asks the database for every `has_access` (one query per menu entry and
per button): 27 of the ~50 queries of an admin's list page; and every REST call
first asks whether the endpoint is public (two queries, twice per call). The mixin loads
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
_PUBLIC = "_crossdock_public_permissions"


def forget_permissions() -> None:
    """Drop this request's cached role permissions (after they changed)."""
    if has_request_context():
        g.pop(_CACHE, None)
        g.pop(_PUBLIC, None)


class PermissionsPerRequest:
    """A SecurityManager mixin: `exist_permission_on_roles` from a per-request set."""

    def exist_permission_on_roles(self, view_name, permission_name, role_ids) -> bool:
        if not has_request_context():
            return super().exist_permission_on_roles(view_name, permission_name, role_ids)
        cache = g.setdefault(_CACHE, {})
        key = tuple(sorted(role_ids))
        if key not in cache:
            cache[key] = self._pairs(Role.id.in_(key))
        return (view_name, permission_name) in cache[key]

    def is_item_public(self, permission_name, view_name) -> bool:
        if not has_request_context():
            return super().is_item_public(permission_name, view_name)
        return (view_name, permission_name) in self._public()

    def permission_key(self) -> tuple:
        """Everything `has_access` answers for the current user, as one hashable
        value (the cached menu's key: core/views/menu_cache.py)."""
        user = g.get("user")
        if user is None or not user.is_authenticated:
            return ("public", self._public())
        names = tuple(sorted(r.name for r in user.roles))
        if any(n in self.builtin_roles for n in names):  # configured roles: not in the table
            return ("builtin", names)
        ids = tuple(sorted(r.id for r in user.roles))
        cache = g.setdefault(_CACHE, {})
        if ids not in cache:
            cache[ids] = self._pairs(Role.id.in_(ids))
        return (ids, cache[ids])

    def _public(self) -> frozenset[tuple[str, str]]:
        public = g.get(_PUBLIC)
        if public is None:
            public = g.setdefault(_PUBLIC, self._pairs(Role.name == self.auth_role_public))
        return public

    def _pairs(self, which_roles) -> frozenset[tuple[str, str]]:
        """(view, permission) pairs granted to the roles `which_roles` selects."""
        rows = self.session.execute(
            select(ViewMenu.name, Permission.name)
            .join(PermissionView, PermissionView.view_menu_id == ViewMenu.id)
            .join(Permission, PermissionView.permission_id == Permission.id)
            .join(assoc_permissionview_role,
                  assoc_permissionview_role.c.permission_view_id == PermissionView.id)
            .join(Role, Role.id == assoc_permissionview_role.c.role_id)
            .where(which_roles))
        return frozenset(tuple(row) for row in rows)
