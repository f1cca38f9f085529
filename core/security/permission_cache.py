"""Role permissions (and the public role's) read once per process and kept
while nobody changes them, instead of once per check.

FAB asks the database for every `has_access` (one query per menu entry and
per button): 27 of the ~50 queries of an admin's list page; and every REST call
first asks whether the endpoint is public (two queries, twice per call). The
mixin answers from the roles' (view, permission) pairs, read in one query and
kept per process under the permissions version: a counter that every change
to roles, permissions or views bumps in the transaction that makes it (a
flush listener here, whatever path changed them: FAB's role screens, addon
installs, the CLI). Each request reads the counter once (one indexed row) and
reads the pairs again only when it moved, so a change made in any process
holds in every process from its next request. Lifecycle operations call
`forget_permissions()`, so a response rendered after an install in the same
request sees the new set.
"""
from __future__ import annotations

from flask import current_app, g, has_request_context
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import (
    Permission,
    PermissionView,
    Role,
    ViewMenu,
    assoc_permissionview_role,
)
from sqlalchemy import Column, Integer, Table, event, insert, select, update
from sqlalchemy.orm import Session, object_session

_CACHE = "_crossdock_role_permissions"  # g: role key -> pairs, this request
_VERSION = "_crossdock_permissions_version"  # g: the counter as this request read it
_SHARED = "crossdock_role_permissions"  # app.extensions: role key -> (version, pairs)
_CHANGED = "crossdock_permissions_changed"  # session.info: bump at the end of the flush

permissions_version = Table(
    "crossdock_permissions_version", Model.metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
)


def forget_permissions() -> None:
    """Drop this request's cached role permissions (after they changed)."""
    if has_request_context():
        g.pop(_CACHE, None)
        g.pop(_VERSION, None)


def _mark_changed(_mapper, _connection, target) -> None:
    session = object_session(target)
    if session is not None:
        session.info[_CHANGED] = True


for _model in (Role, PermissionView, Permission, ViewMenu):
    for _when in ("after_insert", "after_update", "after_delete"):
        event.listen(_model, _when, _mark_changed)


@event.listens_for(Session, "after_flush")
def _bump_version(session, _context) -> None:
    if not session.info.pop(_CHANGED, False):
        return
    conn = session.connection()
    bumped = conn.execute(update(permissions_version).where(permissions_version.c.id == 1)
                          .values(version=permissions_version.c.version + 1)).rowcount
    if not bumped:
        conn.execute(insert(permissions_version).values(id=1, version=1))


class PermissionsPerRequest:
    """A SecurityManager mixin: `exist_permission_on_roles` and `is_item_public`
    from the roles' pairs, kept per process under the permissions version."""

    def exist_permission_on_roles(self, view_name, permission_name, role_ids) -> bool:
        if not has_request_context():
            return super().exist_permission_on_roles(view_name, permission_name, role_ids)
        return (view_name, permission_name) in self._granted(tuple(sorted(role_ids)))

    def _granted(self, key) -> frozenset[tuple[str, str]]:
        """The pairs of `key`: sorted role ids, or "public"."""
        cache = g.setdefault(_CACHE, {})
        if key in cache:
            return cache[key]
        version = g.get(_VERSION)
        if version is None:
            version = self.session.scalar(select(permissions_version.c.version).where(
                permissions_version.c.id == 1)) or 0
            g.setdefault(_VERSION, version)
        shared = current_app.extensions.setdefault(_SHARED, {})
        kept = shared.get(key)
        if kept is not None and kept[0] == version:
            pairs = kept[1]
        else:
            pairs = self._pairs(Role.name == self.auth_role_public if key == "public"
                                else Role.id.in_(key))
            shared[key] = (version, pairs)
        cache[key] = pairs
        return pairs

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
        return (ids, self._granted(ids))

    def _public(self) -> frozenset[tuple[str, str]]:
        return self._granted("public")

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
