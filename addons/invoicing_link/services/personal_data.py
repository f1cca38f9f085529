"""Invoicing's part of a person's personal data (contacts' extension point):
the invoices and credit notes of their orders.

Erasure keeps every issued or cancelled invoice as it is: tax and accounting
law keeps them (发票管理办法, 会计档案管理办法: 30 years; GDPR art. 17(3)(b));
their customer is the anonymised person, and the names on the invoice are
not copies of the person's. A draft loses its note.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from addons.contacts.services.personal_data.provider import (ANONYMISED, KEPT, Erased, Found,
                                                             Provider, Subject)
from addons.contacts.services.personal_data.rows import row_of
from addons.sales.models import SalesOrder

from ..models import Invoice
from ..models.invoice import DRAFT

INVOICE_FIELDS = ("kind", "state", "series", "number", "order", "invoice_date", "due_date", "note",
                  "currency", "amount_untaxed", "amount_tax", "amount_total", "payment_state",
                  "amount_paid", "amount_residual", "issued_at")
LINE_FIELDS = ("description", "quantity", "unit_price", "discount", "tax_name", "tax_rate",
               "amount_total")
INVOICES_KEPT = _l("tax and accounting law: issued invoices are kept as issued (发票管理办法, "
                   "会计档案管理办法; PIPL art. 47, GDPR art. 17(3)(b)); their customer now reads "
                   "as the erased person")


def _invoices(session: Session, subject: Subject) -> list[Invoice]:
    person_id = subject.person.id
    return session.scalars(select(Invoice).where(or_(
        Invoice.person_id == person_id, Invoice.order.has(SalesOrder.person_id == person_id)))
        .order_by(Invoice.id)).all()


def export(session: Session, subject: Subject) -> Found:
    return Found(sections={"invoices": [
        {**row_of(i, INVOICE_FIELDS), "lines": [row_of(line, LINE_FIELDS) for line in i.lines]}
        for i in _invoices(session, subject)]},
        labels={"invoices": ("发票与红字发票", "invoices and credit notes")})


def erase(session: Session, subject: Subject) -> Erased:
    erased = Erased()
    invoices = _invoices(session, subject)
    drafts = [i for i in invoices if i.state == DRAFT]
    for invoice in drafts:
        invoice.note = None
    erased.add("draft invoices", ANONYMISED, len(drafts))
    erased.add("invoices", KEPT, len(invoices) - len(drafts), INVOICES_KEPT)
    return erased


PROVIDER = Provider("invoicing_link", export, erase)
