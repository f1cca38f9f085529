"""The audit log screen (admins): every change, searchable, read-only."""
from __future__ import annotations

from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..db import db
from ..security.audit import AuditLog
from ..security.audit_actions import action_label


class AuditLogView(ModelView):
    datamodel = SQLAInterface(AuditLog)
    base_permissions = ["can_list", "can_show"]
    base_order = ("id", "desc")
    list_columns = ["at", "actor", "action", "model", "record_id", "ip"]
    show_columns = ["at", "actor", "actor_id", "action", "model", "record_id",
                    "changes", "request_id", "ip"]
    search_columns = ["actor", "action", "model", "record_id", "at", "request_id"]
    label_columns = {"at": _l("When"), "actor": _l("Who"), "action": _l("Action"),
                     "model": _l("Model"), "record_id": _l("Record"),
                     "changes": _l("Changes"), "request_id": _l("Request"), "ip": _l("Address")}
    formatters_columns = {"action": action_label}
    list_title = _l("Audit Log")
    show_title = _l("Audit Log Entry")


def history_of(model_name: str, record_id) -> list[AuditLog]:
    """A record's audit trail, newest first (shown on its page)."""
    return list(db.session.scalars(
        select(AuditLog).where(AuditLog.model == model_name,
                               AuditLog.record_id == str(record_id))
        .order_by(AuditLog.id.desc()).limit(200)))
