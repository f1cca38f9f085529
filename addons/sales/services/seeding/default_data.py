"""What a fresh sales install starts with: a default pipeline, lost reasons,
currencies (CNY as base) and the common Chinese VAT rates. Idempotent."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Currency, LostReason, Stage, Tax

# name, probability hint, won, folded: the default pipeline (team_id NULL)
DEFAULT_STAGES = (
    ("New", 10, False, False),
    ("Qualified", 30, False, False),
    ("Proposition", 60, False, False),
    ("Negotiation", 80, False, False),
    ("Won", 100, True, True),
)
DEFAULT_LOST_REASONS = ("Too expensive", "Chose a competitor", "No budget",
                        "No response", "Not a fit")
DEFAULT_CURRENCIES = (("CNY", "Chinese Yuan", "¥", 2, True), ("USD", "US Dollar", "$", 2, False),
                      ("EUR", "Euro", "€", 2, False), ("JPY", "Japanese Yen", "¥", 0, False))
DEFAULT_TAXES = (("VAT 13%", Decimal("13"), False), ("VAT 9%", Decimal("9"), False),
                 ("VAT 6%", Decimal("6"), False), ("VAT 0%", Decimal("0"), False))


def seed_defaults(session: Session) -> None:
    if session.scalar(select(Stage.id).where(Stage.team_id.is_(None)).limit(1)) is None:
        for n, (name, probability, won, folded) in enumerate(DEFAULT_STAGES, start=1):
            session.add(Stage(name=name, sequence=n * 10, probability=probability,
                              is_won=won, folded=folded))
    existing = set(session.scalars(select(LostReason.name)))
    session.add_all(LostReason(name=n) for n in DEFAULT_LOST_REASONS if n not in existing)
    codes = set(session.scalars(select(Currency.code)))
    has_base = session.scalar(select(Currency.id).where(Currency.is_base).limit(1)) is not None
    for code, name, symbol, places, base in DEFAULT_CURRENCIES:
        if code not in codes:
            session.add(Currency(code=code, name=name, symbol=symbol, decimal_places=places,
                                 is_base=base and not has_base))
    taxes = set(session.scalars(select(Tax.name)))
    session.add_all(Tax(name=n, rate=r, price_include=inc)
                    for n, r, inc in DEFAULT_TAXES if n not in taxes)
    session.flush()
