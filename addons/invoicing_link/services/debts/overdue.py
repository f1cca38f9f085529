"""An activity for the owner when an invoice becomes overdue (issue 14): the
hub's scheduler runs `OVERDUE_REMINDERS` hourly (a `hub.Every`); each issued
invoice still unpaid after its due date gets one to-do for its owner (the
order's), on its company or person, due today, once
(`Invoice.overdue_reminded_at`), whatever its origin. The day is the
instance's (CROSSDOCK_TIME_ZONE), not a reader's.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from addons.sales.models.activity import TODO
from addons.sales.rules.money import round_money
from addons.sales.services.activities.scheduling import schedule
from connectors import hub
from core.user_time import today

from ...models.invoice import CREDIT_NOTE, ISSUED, Invoice

BATCH = 500  # per run; the next run takes the rest


def remind_overdue(session: Session) -> str:
    day = today()
    invoices = session.scalars(select(Invoice).where(
        Invoice.state == ISSUED, Invoice.kind != CREDIT_NOTE, Invoice.amount_residual > 0,
        Invoice.due_date < day, Invoice.overdue_reminded_at.is_(None))
        .options(joinedload(Invoice.currency), joinedload(Invoice.company),
                 joinedload(Invoice.person))
        .order_by(Invoice.due_date, Invoice.id).limit(BATCH)).all()
    for invoice in invoices:
        customer = invoice.company or invoice.person
        if customer is not None:
            left = round_money(invoice.amount_residual, invoice.currency.decimal_places)
            schedule(session, customer, kind=TODO, due_date=day,
                     owner_id=invoice.owner_id or customer.owner_id,
                     summary=gettext("Invoice %(number)s is overdue: %(left)s %(currency)s "
                                     "left to pay since %(due)s", number=invoice.number,
                                     left=left, currency=invoice.currency.code,
                                     due=invoice.due_date.isoformat())[:200])
        invoice.overdue_reminded_at = datetime.utcnow()
    return f"{len(invoices)} overdue invoices, one activity each" if invoices else None


OVERDUE_REMINDERS = hub.Every(kind="invoicing.overdue_reminders", run=remind_overdue,
                              every_seconds=3600)
