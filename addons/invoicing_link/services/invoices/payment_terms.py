"""The due date: the invoice date plus the payment terms' days
(`CROSSDOCK_INVOICING_PAYMENT_DAYS`, default 30; settings.py)."""
from __future__ import annotations

from datetime import date, timedelta

from ...settings import configured


def due_date_for(invoice_date: date) -> date:
    return invoice_date + timedelta(days=configured().invoicing_payment_days)
