"""One upload being imported: the file itself, the column mapping, the
duplicate policies and the outcome. Kept in the database (not the web
process) so upload, preview and commit may each hit another process."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from core.security.audit import exclude

UPLOADED, MAPPED, COMMITTED = "uploaded", "mapped", "committed"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class ContactImportBatch(Model):
    __tablename__ = "contacts_import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # company / person
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)  # the file as uploaded
    encoding: Mapped[str | None] = mapped_column(String(16))  # the user's choice, else detected
    # whose ids the file's external id column holds ("odoo", "crossdock"...)
    source_system: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=UPLOADED)
    headers: Mapped[list | None] = mapped_column(JSON)
    mapping: Mapped[list | None] = mapped_column(JSON)  # a field key (or null) per column
    policies: Mapped[dict | None] = mapped_column(JSON)  # row number -> skip/update/create
    summary: Mapped[dict | None] = mapped_column(JSON)  # counts of the last preview/commit
    report: Mapped[dict | None] = mapped_column(JSON)  # the migration report of the commit
    parsed: Mapped[bytes | None] = mapped_column(LargeBinary)  # see services/imports/parsed_rows.py
    parsed_key: Mapped[str | None] = mapped_column(String(64))
    created_on: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    committed_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # the importer: record rules keep a batch (and its file) to its owner
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)

    def __repr__(self):
        return f"{self.filename} ({self.kind})"


# the file, its checked rows and the preview can be megabytes: the audit log
# records that a batch changed state, not copies of its contents
exclude("ContactImportBatch", {"data", "parsed", "parsed_key", "summary", "report", "headers",
                               "mapping", "policies"})
