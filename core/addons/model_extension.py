"""Columns and many-to-one relationships an addon adds to another addon's model.

The host mounts every importable addon, installed or not, so an extension is
mapped onto the class at start while its database column exists only once the
extending addon is installed (its Alembic branch adds it). Hence:

1. An extension column is mapped deferred, with no Python-side default and a
   type that "evaluates None": an INSERT or UPDATE names it only when a value
   was assigned, so rows are written without it while the addon is inactive.
2. Reads select it only while the extending addon is active (installed and
   enabled): a `do_orm_execute` listener undefers it on every ORM statement
   whose entities include the model. Otherwise it stays unloaded.
3. Screens, REST schemas, exports and the audit log ask `active_fields(model)`
   (or `hidden_fields(model)`) which extension fields exist now; nothing else
   touches an inactive field, so nothing selects a column that is not there.

The active set comes from the addon gate, read once per request (one view of
the installed set for the whole request) or, outside a request, at each call.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import Column, event, inspect
from sqlalchemy.types import NullType
from sqlalchemy.orm import RelationshipProperty, Session, deferred, undefer


class ExtensionError(ValueError):
    """An extension that cannot be mapped; the message names the addon and the field."""


@dataclass(frozen=True)
class ExtensionField:
    addon: str
    model: type
    name: str
    label: str | None
    column: Column | None  # None for a relationship
    relationship: RelationshipProperty | None = None


_FIELDS: dict[type, dict[str, ExtensionField]] = {}


def _check_column(addon: str, model: type, name: str, column: Column) -> None:
    where = f"addon '{addon}': {model.__name__}.{name}"
    if column.primary_key:
        raise ExtensionError(f"{where}: an extension cannot be a primary key")
    if column.default is not None or column.onupdate is not None:
        raise ExtensionError(f"{where}: no Python-side default or onupdate (rows written "
                             "while the addon is not installed would name the column); "
                             "set a server default in the migration instead")
    if column.server_default is not None or column.server_onupdate is not None:
        raise ExtensionError(f"{where}: put the server default in the migration only "
                             "(the ORM would fetch it back after every INSERT)")
    if isinstance(column.type, NullType):
        # a foreign key's type is copied from its target later, which would undo
        # the "evaluates None" type that keeps the column out of INSERTs
        raise ExtensionError(f"{where}: give the column its type, e.g. "
                             "Column(Integer, ForeignKey(...))")
    if column.nullable is False:
        raise ExtensionError(f"{where}: must be nullable (rows are created without it "
                             "while the addon is not installed)")


def extend(addon: str, model: type, fields: dict, labels: dict | None = None) -> list[ExtensionField]:
    """Map `fields` ({name: Column or relationship}) onto `model` for `addon`.

    Columns are added to the model's table and mapped deferred; a relationship
    must be many-to-one through one of the extension's own columns. Called by
    the loader (`addon.extend(...)`); mapping twice (a second app in the same
    process) keeps the first mapping.
    """
    mapper = inspect(model)
    table = model.__table__
    known = _FIELDS.setdefault(model, {})
    labels = labels or {}
    added = []
    for name, value in fields.items():
        if name in known:
            if known[name].addon != addon:
                raise ExtensionError(f"addon '{addon}': {model.__name__}.{name} is already "
                                     f"an extension of addon '{known[name].addon}'")
            added.append(known[name])
            continue
        if name in mapper.attrs or hasattr(model, name):
            raise ExtensionError(f"addon '{addon}': {model.__name__} already has '{name}'")
        if isinstance(value, Column):
            _check_column(addon, model, name, value)
            value.name = value.name or name
            value.key = name
            if value.name in table.c:
                raise ExtensionError(f"addon '{addon}': {table.name} already has a "
                                     f"column '{value.name}'")
            value.type = value.type.evaluates_none()  # unassigned: left out of INSERT
            table.append_column(value)
            mapper.add_property(name, deferred(value))
            field = ExtensionField(addon, model, name, labels.get(name), value)
        elif isinstance(value, RelationshipProperty):
            field = ExtensionField(addon, model, name, labels.get(name), None, value)
            mapper.add_property(name, value)
        else:
            raise ExtensionError(f"addon '{addon}': {model.__name__}.{name} must be a "
                                 f"Column or a relationship(), not {type(value).__name__}")
        known[name] = field
        added.append(field)
    for field in added:
        if field.relationship is not None:
            _check_relationship(addon, model, field, known)
    return added


def _check_relationship(addon: str, model: type, field: ExtensionField, known: dict) -> None:
    rel = inspect(model).relationships[field.name]
    own = {f.column for f in known.values() if f.column is not None and f.addon == addon}
    if rel.direction.name != "MANYTOONE" or not set(rel.local_columns) <= own:
        raise ExtensionError(f"addon '{addon}': {model.__name__}.{field.name} must be a "
                             "many-to-one relationship through a column the addon adds")


def fields_of(model: type) -> list[ExtensionField]:
    """Every extension of `model`, active or not."""
    return list(_FIELDS.get(model, {}).values())


def active_addons() -> frozenset[str]:
    """The addons active now: one answer per request; nothing outside an app."""
    if not has_app_context():
        return frozenset()
    ext = current_app.extensions.get("crossdock")
    if ext is None:
        return frozenset()
    if has_request_context():
        if "_crossdock_active_addons" not in g:
            g._crossdock_active_addons = ext.runtime.gate.active()
        return g._crossdock_active_addons
    return ext.runtime.gate.active()


def active_fields(model: type) -> list[ExtensionField]:
    """The extensions of `model` whose addon is active now, in declaration order."""
    fields = _FIELDS.get(model)
    if not fields:
        return []
    active = active_addons()
    return [f for f in fields.values() if f.addon in active]


def hidden_fields(model: type) -> set[str]:
    """Names of `model`'s extensions whose addon is not active: never to be touched."""
    fields = _FIELDS.get(model)
    if not fields:
        return set()
    active = active_addons()
    return {n for n, f in fields.items() if f.addon not in active}


def field_names(model: type) -> set[str]:
    return set(_FIELDS.get(model, {}))


def is_hidden_column(column) -> bool:
    """Whether `column` is an extension column whose addon is not active (it may
    not exist): for code that walks Model.metadata (merges moving references)."""
    for fields in _FIELDS.values():
        for f in fields.values():
            if f.column is column:
                return f.addon not in active_addons()
    return False


def _is_entity(expr) -> bool:
    found = inspect(expr, raiseerr=False)
    return found is not None and (getattr(found, "is_mapper", False)
                                  or getattr(found, "is_aliased_class", False))


@event.listens_for(Session, "do_orm_execute")
def _load_active_columns(state) -> None:
    """Undefer the active extension columns of the statement's entities."""
    if not _FIELDS or not state.is_select:
        return
    options = []
    for described in getattr(state.statement, "column_descriptions", ()):
        entity = described.get("expr")  # the class, or an alias of it (FAB's joins)
        if described.get("entity") is None or not _is_entity(entity):
            continue  # bare columns: nothing deferred to load
        model = inspect(entity).mapper.class_
        if model in _FIELDS:
            options += [undefer(getattr(entity, f.name))
                        for f in active_fields(model) if f.column is not None]
    if options:
        state.statement = state.statement.options(*options)
