"""Our side of a reconciliation: the invoices and credit notes dated in the
period that belong to one backend, in one column-only select (rows, no ORM
objects: 100,000 of them in well under a second):

- ours pushed there: bound to it (any mode, as the binding says);
- ours to push there: issued, not bound, when the backend takes Crossdock's
  invoices (what was never pushed shows as missing there);
- the ERP's, mirrored: origin "erp" with that backend.
Record rules apply (the session's), as on every path.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from addons.sales.models import Currency
from connectors import hub

from ...models.invoice import CROSSDOCK, DRAFT, ERP, ERP_MODEL, Invoice


def our_invoices(session: Session, backend_id: int, invoiced_here: bool,
                 first: date, last: date) -> list:
    """Rows with id, number, origin, state, total, tax, residual, currency,
    places and external_id (None when not bound on the backend)."""
    bound = hub.bound_select(backend_id, ERP_MODEL).subquery()
    ours = and_(Invoice.origin == CROSSDOCK, Invoice.state != DRAFT)
    pushed = ours if invoiced_here else and_(ours, bound.c.external_id.is_not(None))
    mirrored = and_(Invoice.origin == ERP, Invoice.backend_id == backend_id)
    return session.execute(
        select(Invoice.id, Invoice.number, Invoice.origin, Invoice.state,
               Invoice.amount_total.label("total"), Invoice.amount_tax.label("tax"),
               Invoice.amount_residual.label("residual"), Currency.code.label("currency"),
               Currency.decimal_places.label("places"), bound.c.external_id)
        .join(Currency, Currency.id == Invoice.currency_id)
        .outerjoin(bound, bound.c.record_id == Invoice.id)
        .where(Invoice.invoice_date >= first, Invoice.invoice_date <= last, or_(pushed, mirrored))
        .order_by(Invoice.id)).all()
