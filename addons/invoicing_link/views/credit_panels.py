"""The credit limit on a quotation's page (sales' order page): where
confirming it would leave the customer, and whether it is held or released
(services/credit/credit_check.py)."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from addons.sales.models.sales_order import EDITABLE
from addons.sales.services.catalog.currency_rates import MissingRate
from core.db import db

from ..models.credit import CreditRelease
from ..services.credit import credit_check
from ..services.credit.credit_check import BLOCK


def quotation_credit(view, order) -> dict | None:
    """A quotation of a customer with a limit: where confirming it would
    leave the customer; None (no panel) otherwise."""
    if order.state not in EDITABLE or order.company_id is None:
        return None
    try:
        where = credit_check.position(db.session, order)
    except MissingRate:
        return None  # confirming says which rate is missing
    if where is None:
        return None
    over = where.over_by > 0
    release = credit_check.released(db.session, order) if over else None
    return {"where": where, "over": over, "blocks": credit_check.mode() == BLOCK,
            "release": release,
            "holds_url": url_for("CreditHoldsView.holds") if over and release is None
            and view.appbuilder.sm.has_access("can_release", "CreditHoldsView") else None,
            "releases": db.session.scalars(select(CreditRelease).where(
                CreditRelease.order_id == order.id).order_by(CreditRelease.id)).all()}
