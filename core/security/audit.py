"""The audit log: every create, update and delete, and every login attempt.

Changes are captured in the session's `after_flush`, where the flushed objects
still carry their attribute history and already have primary keys, and are
written on the same connection: an audited change and its audit row commit or
roll back together. The table is append-only; the platform migration installs
triggers that refuse UPDATE and DELETE on it.
"""
from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid

from flask import has_request_context, request
from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, Index, Integer, String, event, insert, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..addons.model_extension import field_names, hidden_fields
from .actor import current_actor, current_request_id
from .secrets import EncryptedText

MASKED = "***"


class AuditLog(Model):
    __tablename__ = "crossdock_audit_log"
    __table_args__ = (
        Index("ix_crossdock_audit_log_record", "model", "record_id"),
        Index("ix_crossdock_audit_log_action_at", "action", "at"),
        # the newest change of a model, one index probe (sales' dashboard_cache)
        Index("ix_crossdock_audit_log_model_id", "model", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))  # create/update/delete/login_*
    model: Mapped[str] = mapped_column(String(128))
    record_id: Mapped[str | None] = mapped_column(String(64))
    changes: Mapped[dict | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"{self.action} {self.model}#{self.record_id} by {self.actor}"


_SKIP_MODELS: set[str] = {"AuditLog", "Permission", "ViewMenu", "PermissionView"}
_SKIP_FIELDS: dict[str, set[str]] = {
    "User": {"last_login", "login_count", "fail_login_count", "changed_on",
             "changed_by_fk"},
}
_MASK_FIELDS: dict[str, set[str]] = {"User": {"password"}}


def exclude(model_name: str, fields: set[str] | None = None) -> None:
    """Leave a whole model, or some of its fields, out of the audit log."""
    if fields is None:
        _SKIP_MODELS.add(model_name)
    else:
        _SKIP_FIELDS.setdefault(model_name, set()).update(fields)


def mask(model_name: str, fields: set[str]) -> None:
    """Record that these fields changed, never their values (secrets)."""
    _MASK_FIELDS.setdefault(model_name, set()).update(fields)


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return str(value)


def _record_id(obj) -> str | None:
    state = inspect(obj)
    # a row inserted by this flush has its key values but no identity until
    # after after_flush: without the fallback every "create" lost its record id
    values = state.identity or state.mapper.primary_key_from_instance(obj)
    if not values or any(v is None for v in values):
        return None
    return ",".join(str(v) for v in values)


def _column_changes(obj, mode: str) -> dict:
    name = type(obj).__name__
    skip = _SKIP_FIELDS.get(name, set())
    masked = _MASK_FIELDS.get(name, set())
    state = inspect(obj)
    # another addon's columns on this model (core/addons/model_extension.py):
    # an inactive one may not exist in the database, so it is never read here
    extended = field_names(type(obj))
    if extended:
        skip = skip | hidden_fields(type(obj))
    changes = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in skip:
            continue
        if key in extended and mode == "create" and key not in state.dict:
            continue  # never loaded: no value to record, and no SELECT for it
        hist = state.attrs[key].history
        if mode == "update":
            if not hist.has_changes():
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
        elif mode == "create":
            old, new = None, state.attrs[key].value
            if new is None:
                continue
        else:  # delete: keep the last values, so the row can be reconstructed
            old = hist.deleted[0] if hist.deleted else state.attrs[key].value
            new = None
        if key in masked or isinstance(attr.columns[0].type, EncryptedText):
            # an encrypted column's plain value must not land in the log in clear
            old, new = (MASKED if old is not None else None), MASKED if new is not None else None
        changes[key] = [_plain(old), _plain(new)]
    return changes


def _base_row(action: str, model: str, record_id: str | None) -> dict:
    actor = current_actor()
    return {
        "at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
        "actor_id": actor.user_id,
        "actor": actor.name,
        "action": action,
        "model": model,
        "record_id": record_id,
        "request_id": current_request_id(),
        "ip": request.remote_addr if has_request_context() else None,
    }


@event.listens_for(Session, "after_flush")
def _capture(session: Session, _ctx) -> None:
    rows = []
    for mode, objs in (("create", session.new), ("update", session.dirty),
                       ("delete", session.deleted)):
        for obj in objs:
            model = type(obj).__name__
            if model in _SKIP_MODELS:
                continue
            if mode == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _column_changes(obj, mode)
            if mode == "update" and not changes:
                continue
            rows.append({**_base_row(mode, model, _record_id(obj)), "changes": changes})
    if rows:
        session.connection().execute(insert(AuditLog.__table__), rows)


def record_event(session: Session, action: str, model: str, record_id=None,
                 details: dict | None = None) -> None:
    """Append one non-CRUD event (login success/failure, addon install...)."""
    row = {**_base_row(action, model, None if record_id is None else str(record_id)),
           "changes": details}
    session.connection().execute(insert(AuditLog.__table__), [row])
