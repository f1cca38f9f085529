"""Exporting contacts to CSV or XLSX: the rows a list shows, as a spreadsheet
that imports again into any Crossdock without losing anything.

The contacts come from an ORM query the caller built (the list's filters),
so record rules apply. Headers are the field labels the import recognises,
so an exported file imports again. What makes the round trip lossless:
- the first column, "Crossdock ID" (never translated), is each contact's id
  across instances (services/imports/external_ids.py); a person's company is
  named by its own id in "Crossdock company ID" besides its name, so people
  link to the right one of two companies of the same name;
- phones and e-mails carry their kind ("mobile: 138 0013 8000, work: ...");
- tier, tags and owner by name, custom fields by label, as the import reads them;
- a date as YYYY-MM-DD; a (stored UTC) datetime in the reader's time zone,
  ISO 8601 with its offset, "2026-12-05T21:30:00+08:00" (core/user_time.py
  `exported`), so the file says which instant it means.

Formula cells (rules/formula_cells.py): CSV cells a spreadsheet would run
(=, +, -, @, tab or CR) get a leading apostrophe (OWASP CSV injection advice),
which the import takes off again in our own files only; XLSX cells are typed
strings, which a spreadsheet neither runs nor needs a prefix for. CSV is
UTF-8 with a byte-order mark, which Excel needs to show Chinese correctly;
XLSX is written with openpyxl's write-only workbook.
"""
from __future__ import annotations

import codecs
import datetime as dt
import csv
import io
from collections.abc import Iterable, Iterator

from flask_babel import gettext as _
from sqlalchemy.orm import Query, selectinload
from sqlalchemy.orm.session import Session

from core.addons.model_extension import active_fields
from core.user_time import exported

from ..models import Company, Person
from ..rules.formula_cells import safe_cell
from .custom_fields.values import fields_for as custom_fields_for
from .custom_fields.values import values_for as custom_values_for
from .imports.external_ids import exported_ids, instance_token
from .imports.mapping import COMPANY
from .imports.reading import OWN_EXPORT_HEADER

BATCH = 1000
COMPANY_ID_HEADER = "Crossdock company ID"


def _channels(rows, attr: str) -> str:
    return ", ".join(f"{r.kind}: {getattr(r, attr)}" for r in rows)


def _columns(kind: str, ids: dict, company_ids: dict) -> list[tuple[str, callable]]:
    """(header, value of a contact) per exported column; labels as the import reads them."""
    first = ([(_("Tax ID"), lambda c: c.tax_id)] if kind == COMPANY else
             [(_("Company"), lambda c: c.company.name if c.company else ""),
              (COMPANY_ID_HEADER, lambda c: company_ids.get(c.company_id, "")),
              (_("Job title"), lambda c: c.job_title)])
    return [
        (OWN_EXPORT_HEADER, lambda c: ids[c.id]),
        (_("Name"), lambda c: c.name), *first,
        (_("Phones"), lambda c: _channels(c.phones, "number")),
        (_("E-mails"), lambda c: _channels(c.emails, "email")),
        (_("Street"), lambda c: c.street), (_("City"), lambda c: c.city),
        (_("Province/State"), lambda c: c.province),
        (_("Postal code"), lambda c: c.postal_code),
        (_("Country code"), lambda c: c.country_code), (_("Website"), lambda c: c.website),
        (_("Industry"), lambda c: c.industry), (_("Source"), lambda c: c.source),
        (_("Tier"), lambda c: c.tier.name if c.tier else ""),
        (_("Tags"), lambda c: ", ".join(t.name for t in c.tags)),
        (_("Owner"), lambda c: c.owner.username if c.owner else ""),
        (_("Notes"), lambda c: c.notes),
    ]


def export_table(session: Session, kind: str, query: Query) -> tuple[list[str], Iterator[list[str]]]:
    """The header and (lazily) the rows of the contacts `query` selects, as stored
    (csv_chunks neutralises formulas; xlsx_bytes types every cell as a string)."""
    ids, company_ids = {}, {}
    instance_token(session, commit=True)  # before streaming: the ids must outlive this request
    columns = _columns(kind, ids, company_ids)
    custom = custom_fields_for(session, kind)
    model = Person if kind == "person" else Company
    # columns other addons added to the model, while they are active
    extended = [f for f in active_fields(model) if f.column is not None]
    headers = ([h for h, _f in columns] + [f.label for f in custom]
               + [str(f.label or f.name) for f in extended])
    loads = [selectinload(model.phones), selectinload(model.emails), selectinload(model.tags),
             selectinload(model.tier), selectinload(model.owner)]
    if kind != COMPANY:
        loads.append(selectinload(model.company))
    query = query.options(*loads).order_by(model.id)  # a stable order for the batches

    def rows() -> Iterator[list[str]]:
        offset = 0
        while True:  # in batches: a large export never holds every contact at once
            chunk = query.limit(BATCH).offset(offset).all()
            if not chunk:
                return
            values = custom_values_for(session, kind, [c.id for c in chunk])
            ids.clear()
            ids.update(exported_ids(session, kind, [c.id for c in chunk]))
            if kind != COMPANY:
                company_ids.clear()
                company_ids.update(exported_ids(
                    session, COMPANY, {c.company_id for c in chunk if c.company_id}))
            for contact in chunk:
                extra = values.get(contact.id, {})
                yield ([_text(f(contact)) for _h, f in columns]
                       + [_display(extra.get(f.key)) for f in custom]
                       + [_display(getattr(contact, f.name)) for f in extended])
            offset += BATCH

    return headers, rows()


def _text(value) -> str:
    return "" if value is None else str(value)


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(map(str, value))
    if isinstance(value, dt.datetime):
        return exported(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def csv_chunks(headers: list[str], rows: Iterable[list[str]]) -> Iterator[bytes]:
    """The CSV file as UTF-8 bytes with a BOM, a few hundred rows per chunk,
    formula cells neutralised."""
    yield codecs.BOM_UTF8
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in headers])
    for n, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(c) for c in row])
        if n % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_bytes(headers: list[str], rows: Iterable[list[str]], title: str) -> bytes:
    """The XLSX file: every cell a typed string (never a formula or a number)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])

    def typed(values):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=None)
            cell._value, cell.data_type = ("" if value is None else str(value)), "s"
            cells.append(cell)
        return cells

    sheet.append(typed(headers))
    for row in rows:
        sheet.append(typed(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
