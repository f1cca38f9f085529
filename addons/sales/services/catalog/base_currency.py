"""Making another currency the base: refused while any exchange rate exists.

Every rate says how many units of a currency buy one unit of the base, so a
new base would silently change the meaning of every stored rate (and of
converted prices and dashboard sums). Rather than rebasing rates that were
entered on different days, Crossdock refuses: Finance deletes the rates (or
keeps the base). Exactly one currency is the base at any time; `is_base` is
written only here (never by a form or REST body).
"""
from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.security.audit import record_event

from ...models import Currency, CurrencyRate
from ...rules.catalog_values import CatalogFieldError


def set_base_currency(session: Session, currency: Currency) -> None:
    if currency.is_base:
        return
    if not currency.active:
        raise CatalogFieldError("is_base", gettext(
            "%(currency)s is archived and cannot be the base currency", currency=currency.code))
    rates = session.scalar(select(func.count()).select_from(CurrencyRate))
    if rates:
        old = session.scalar(select(Currency.code).where(Currency.is_base))
        raise CatalogFieldError(
            "is_base", gettext("%(n)s exchange rate(s) are stated against the base currency "
                               "%(old)s: delete them before making %(currency)s the base",
                               n=rates, old=old, currency=currency.code))
    old_base = session.scalars(select(Currency).where(Currency.is_base)).all()
    for other in old_base:
        other.is_base = False
    session.flush()  # one base at a time, even mid-transaction
    currency.is_base = True
    session.flush()
    record_event(session, "base_currency", "Currency", currency.id,
                 {"from": [o.code for o in old_base], "to": currency.code})
