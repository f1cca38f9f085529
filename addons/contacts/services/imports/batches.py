"""The steps of an import before the commit: upload, mapping, preview.

Each step reads the file stored on the batch, so the steps may run in
different web processes. A step that fails raises ImportFileError or
ImportMappingError and leaves the database as it was.
"""
from __future__ import annotations

from flask_babel import gettext
from sqlalchemy.orm import Session

from ...models import ContactImportBatch
from ...models.import_batch import MAPPED
from .external_ids import CROSSDOCK
from .mapping import KINDS, check, remember, suggest_with_system
from .preview import Preview, build_preview
from .reading import ImportFileError, ImportTable, configured_limits, read_table


def read_batch_table(batch: ContactImportBatch) -> ImportTable:
    max_rows, max_bytes = configured_limits()
    return read_table(batch.filename, batch.data, encoding=batch.encoding,
                      max_rows=max_rows, max_bytes=max_bytes)


def start_import(session: Session, kind: str, filename: str, data: bytes,
                 encoding: str | None = None,
                 source_system: str | None = None) -> ContactImportBatch:
    """Store an upload that reads cleanly, with a suggested mapping; else ImportFileError.

    `source_system`: whose ids the file's external id column holds ("odoo"...);
    when not given, "crossdock" for our own exports, the matching preset's
    system, else the generic "import"."""
    if kind not in KINDS:
        raise ImportFileError(gettext("choose what the file holds: %(kinds)s",
                                      kinds=" or ".join(KINDS)))
    max_rows, max_bytes = configured_limits()
    table = read_table(filename, data, encoding=encoding or None, max_rows=max_rows,
                       max_bytes=max_bytes)
    if not table.rows:
        raise ImportFileError(gettext("the file has a header but no rows"))
    mapping, preset_system = suggest_with_system(session, kind, table.headers)
    system = source_system or (CROSSDOCK if table.own_export else preset_system)
    batch = ContactImportBatch(kind=kind, filename=(filename or "upload")[:255], data=data,
                               encoding=table.encoding, headers=table.headers,
                               mapping=mapping, source_system=(system or None) and system[:64])
    session.add(batch)
    session.flush()
    return batch


def apply_mapping(session: Session, batch: ContactImportBatch,
                  mapping: list[str | None]) -> Preview:
    """Check and remember the mapping, then preview the rows under it."""
    check(session, batch.kind, batch.headers, mapping)
    remember(session, batch.kind, batch.headers, mapping)
    batch.mapping = list(mapping)
    batch.status = MAPPED
    return refresh_preview(session, batch)


def refresh_preview(session: Session, batch: ContactImportBatch,
                    policies: dict[int, str] | None = None) -> Preview:
    if policies is not None:
        batch.policies = {str(k): v for k, v in policies.items()}
    preview = build_preview(session, batch)
    batch.summary = preview.as_summary()
    return preview
