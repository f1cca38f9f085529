"""Exchange rates: the rate of a currency on a day, and conversions.

A rate says how many units of the currency buy one unit of the base currency,
from its effective date on (the latest rate on or before the day applies).
There is no silent fallback: a currency without a rate for the day raises
MissingRate, and confirming an order in it is refused with that message.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Currency, CurrencyRate
from ...rules.money import round_money

PRICE_PLACES = 4  # unit prices are Numeric(18, 4): converted prices keep 4 decimals


class MissingRate(ValueError):
    """No exchange rate for a currency on a day; the message says which, and
    `currency_code`/`day` say it to code (None for a missing base currency)."""

    def __init__(self, message: str, currency_code: str | None = None,
                 day: date | None = None):
        super().__init__(message)
        self.currency_code = currency_code
        self.day = day


def base_currency(session: Session) -> Currency:
    base = session.scalar(select(Currency).where(Currency.is_base))
    if base is None:
        raise MissingRate(gettext("no base currency is set (Sales > Currencies)"))
    return base


def rate_on(session: Session, currency: Currency, day: date) -> Decimal:
    if currency.is_base:
        return Decimal(1)
    rate = session.scalar(
        select(CurrencyRate.rate).where(CurrencyRate.currency_id == currency.id,
                                        CurrencyRate.effective_date <= day)
        .order_by(CurrencyRate.effective_date.desc()).limit(1))
    if rate is None:
        raise MissingRate(gettext("no exchange rate for %(currency)s on or before %(day)s",
                                  currency=currency.code, day=day.isoformat()),
                          currency.code, day)
    return Decimal(rate)


def convert(session: Session, amount: Decimal, source: Currency, target: Currency,
            day: date) -> Decimal:
    """`amount` in `source` expressed in `target` on `day`, rounded to `target`."""
    if source.id == target.id:
        return round_money(amount, target.decimal_places)
    in_base = Decimal(amount) / rate_on(session, source, day)
    return round_money(in_base * rate_on(session, target, day), target.decimal_places)


def convert_price(session: Session, price: Decimal, source: Currency, target: Currency,
                  day: date) -> Decimal:
    """A unit price in `source` expressed in `target` on `day`, kept to 4
    decimals: rounding a unit price to cents before multiplying by the
    quantity would make 10,000 x 0.0149 USD off by a whole yuan."""
    if source.id == target.id:
        return round_money(price, PRICE_PLACES)
    in_base = Decimal(price) / rate_on(session, source, day)
    return round_money(in_base * rate_on(session, target, day), PRICE_PLACES)
