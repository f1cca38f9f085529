"""The invoicing addon's knobs (the README's configuration table)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InvoicingSettings:
    invoicing_payment_days: int = 30  # due date = invoice date + these days
    # confirming an order past its customer's credit limit: "warn" (confirmed,
    # with a warning, audited) or "block" (refused until Finance releases it)
    credit_limit_mode: str = "warn"


def configured() -> InvoicingSettings:
    """The running app's invoicing settings; the defaults outside an app."""
    from flask import current_app, has_app_context

    if has_app_context() and "crossdock" in current_app.extensions:
        return current_app.extensions["crossdock"].settings.section(InvoicingSettings)
    return InvoicingSettings()
