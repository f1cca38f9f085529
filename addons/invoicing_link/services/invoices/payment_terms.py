"""The due date: the invoice date plus the payment terms' days.

Setting: `INVOICING_PAYMENT_DAYS` in the app's config, else the environment
variable `CROSSDOCK_INVOICING_PAYMENT_DAYS`, else 30 days.
"""
from __future__ import annotations

import os
from datetime import date, timedelta

from flask import current_app, has_app_context

DEFAULT_DAYS = 30


def payment_days() -> int:
    raw = current_app.config.get("INVOICING_PAYMENT_DAYS") if has_app_context() else None
    if raw is None:
        raw = os.environ.get("CROSSDOCK_INVOICING_PAYMENT_DAYS", DEFAULT_DAYS)
    return int(raw)


def due_date_for(invoice_date: date) -> date:
    return invoice_date + timedelta(days=payment_days())
