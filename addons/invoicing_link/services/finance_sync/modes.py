"""Which way a backend invoices, from its options' "invoicing" key:

- "erp" (the default): the ERP invoices the orders Crossdock synced to it
  (Tryton invoices a confirmed sale; Odoo and ERPNext make invoices from the
  order); Crossdock mirrors those invoices and their payments (erp_invoices.py).
- "crossdock": Crossdock issues the invoices and pushes each one to the
  backend exactly once (invoice_push.py); payments come back (payments.py).

    crossdock hub backend-add ... --options '{"invoicing": "crossdock",
        "down_payment_product": "DOWNPAY"}'
"""
from __future__ import annotations

import json

from sqlalchemy.orm import Session

from connectors import hub
from connectors.erp import KINDS as ERP_KINDS

ERP_INVOICES, CROSSDOCK_INVOICES = "erp", "crossdock"
MODES = (ERP_INVOICES, CROSSDOCK_INVOICES)


def mode_of(options: dict | str | None) -> str:
    """The mode of a backend's options (a dict, or its JSON text)."""
    if isinstance(options, str):
        options = json.loads(options) if options.strip() else {}
    mode = (options or {}).get("invoicing", ERP_INVOICES)
    return mode if mode in MODES else ERP_INVOICES


def backends_invoiced_here(session: Session) -> list:
    """The active ERP backends that take Crossdock's invoices."""
    return [b for b in hub.active_backends(session, ERP_KINDS)
            if mode_of(b.options_json) == CROSSDOCK_INVOICES]
