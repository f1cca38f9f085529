"""Exporting contacts to CSV or XLSX: the rows a list shows, as a spreadsheet.

The contacts come from an ORM query the caller built (the list's filters),
so record rules apply. Headers are the field labels the import recognises,
so an exported file imports again. Every cell is text: phones keep their
leading zeros and '+', and a cell that a spreadsheet would run as a formula
(starting with =, +, -, @, tab or CR) gets a leading apostrophe (OWASP CSV
injection advice; rules/formula_cells.py). CSV is UTF-8 with a byte-order
mark, which Excel needs to show Chinese correctly; XLSX is written with
openpyxl's write-only workbook.
"""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator

from flask_babel import gettext as _
from sqlalchemy.orm import Query, selectinload
from sqlalchemy.orm.session import Session

from core.addons.model_extension import active_fields

from ..models import Company, Person
from ..rules.formula_cells import safe_cell
from .custom_fields.values import fields_for as custom_fields_for
from .custom_fields.values import values_for as custom_values_for
from .imports.mapping import COMPANY

BATCH = 1000


def _columns(kind: str) -> list[tuple[str, callable]]:
    """(header, value of a contact) per exported column; labels as the import reads them."""
    first = ([(_("Tax ID"), lambda c: c.tax_id)] if kind == COMPANY else
             [(_("Company"), lambda c: c.company.name if c.company else ""),
              (_("Job title"), lambda c: c.job_title)])
    return [
        (_("Name"), lambda c: c.name), *first,
        (_("Phones"), lambda c: ", ".join(p.number for p in c.phones)),
        (_("E-mails"), lambda c: ", ".join(e.email for e in c.emails)),
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
    """The header and (lazily) the rows of the contacts `query` selects."""
    columns = _columns(kind)
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
            for contact in chunk:
                extra = values.get(contact.id, {})
                yield ([safe_cell(f(contact)) for _h, f in columns]
                       + [safe_cell(_display(extra.get(f.key))) for f in custom]
                       + [safe_cell(_display(getattr(contact, f.name))) for f in extended])
            offset += BATCH

    return [safe_cell(h) for h in headers], rows()


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(map(str, value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def csv_chunks(headers: list[str], rows: Iterable[list[str]]) -> Iterator[bytes]:
    """The CSV file as UTF-8 bytes with a BOM, a few hundred rows per chunk."""
    yield codecs.BOM_UTF8
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for n, row in enumerate(rows, start=1):
        writer.writerow(row)
        if n % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_bytes(headers: list[str], rows: Iterable[list[str]], title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)  # str cells: stored as text, never as formulas or numbers
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
