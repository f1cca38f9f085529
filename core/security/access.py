"""Roles and what each may do: seeded roles, and FAB permissions kept in step
with the addons that are active.

An addon declares in `security/access.csv` (`model,role,read,write,create,delete`)
what each role may do with each of its models. Core turns that into FAB
permissions on the addon's views and APIs, and `sync_role_permissions`
reconciles every role with the active set: granted while the addon is active,
revoked when it is disabled or uninstalled. It is idempotent and runs in the
caller's transaction, so a failed install changes no role.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flask_appbuilder.security.sqla.models import (
    Permission, PermissionView, Role, ViewMenu,
)
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from .permission_cache import forget_permissions

ADMIN = "Admin"
SEEDED_ROLES = ("Admin", "Sales Manager", "Salesperson", "Finance",
                "Support Agent", "Read-only")
ROLE_LABELS = {"Admin": _l("Admin"), "Sales Manager": _l("Sales Manager"),
               "Salesperson": _l("Salesperson"), "Finance": _l("Finance"),
               "Support Agent": _l("Support Agent"), "Read-only": _l("Read-only")}

_READ = {"can_list", "can_show", "can_get", "can_info", "can_download", "can_chart",
         "menu_access"}  # a chart only reads rows
_CREATE = {"can_add", "can_post"}
_DELETE = {"can_delete", "can_muldelete", "muldelete"}  # FAB names action permissions bare
_FLAGS = ("read", "write", "create", "delete")


def permission_kind(permission_name: str) -> str:
    """Which access flag a FAB permission needs; unknown ones (actions) need write."""
    if permission_name in _READ:
        return "read"
    if permission_name in _CREATE:
        return "create"
    if permission_name in _DELETE:
        return "delete"
    return "write"


@dataclass(frozen=True)
class AccessRow:
    model: str
    role: str
    read: bool
    write: bool
    create: bool
    delete: bool

    def allows(self, kind: str) -> bool:
        return getattr(self, kind)


def read_access_csv(path: Path, addon: str) -> list[AccessRow]:
    rows = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = {"model", "role", *_FLAGS} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"addon '{addon}': {path.name} lacks columns {sorted(missing)}")
        for n, raw in enumerate(reader, start=2):
            if raw["role"] not in SEEDED_ROLES:
                raise ValueError(f"addon '{addon}': {path.name} line {n}: "
                                 f"unknown role '{raw['role']}'")
            rows.append(AccessRow(raw["model"], raw["role"],
                                  *(raw[f].strip() == "1" for f in _FLAGS)))
    return rows


@dataclass(frozen=True)
class PermissionTarget:
    """A FAB view-menu that belongs to an addon, and the model it serves."""
    view_menu: str
    model: str | None  # None for a menu category
    category: str | None = None


PUBLIC = "Public"  # FAB's role for anonymous visitors: no permissions


def ensure_roles(session: Session) -> dict[str, Role]:
    roles = {r.name: r for r in session.scalars(select(Role))}
    for name in (*SEEDED_ROLES, PUBLIC):
        if name not in roles:
            roles[name] = Role(name=name)
            session.add(roles[name])
    return roles


def _wanted_roles(kind: str, model: str | None, access: list[AccessRow]) -> set[str]:
    return {ADMIN} | {r.role for r in access if r.model == model and r.allows(kind)}


def sync_role_permissions(session: Session, addons: Iterable, active: set[str]) -> None:
    """Grant active addons' permissions per their access rows; revoke the rest."""
    forget_permissions()
    roles = ensure_roles(session)
    wanted: dict[int, set[str]] = {}
    pvs: dict[int, PermissionView] = {}
    category_roles: dict[str, set[str]] = {}
    category_names: set[str] = set()
    for addon in addons:
        is_active = addon.name in active
        for target in addon.permission_targets:
            if target.model is None:
                category_names.add(target.view_menu)
                continue
            for pv in _permission_views(session, target.view_menu):
                pvs[pv.id] = pv
                kind = permission_kind(pv.permission.name)
                grant = _wanted_roles(kind, target.model, addon.access) if is_active else set()
                wanted.setdefault(pv.id, set()).update(grant)
                if is_active and target.category and kind == "read":
                    category_roles.setdefault(target.category, set()).update(grant)
    for category in category_names:
        for pv in _permission_views(session, category):
            pvs[pv.id] = pv
            wanted.setdefault(pv.id, set()).update(category_roles.get(category, set()))
    for role in roles.values():
        current = {pv.id for pv in role.permissions}
        for pv_id, pv in pvs.items():
            should = role.name in wanted.get(pv_id, ())
            if should and pv_id not in current:
                role.permissions.append(pv)
            elif not should and pv_id in current:
                role.permissions.remove(pv)
    session.flush()


def _permission_views(session: Session, view_menu: str) -> list[PermissionView]:
    return list(session.scalars(
        select(PermissionView).join(ViewMenu).join(Permission)
        .where(ViewMenu.name == view_menu)
    ))
