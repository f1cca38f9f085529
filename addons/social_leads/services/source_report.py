"""The source report's figures: per channel and campaign, the leads created
in a period, how many became opportunities, how many were won and their
expected revenue (per currency, a lead without one in the base currency: no
conversion here), and the submissions
(touches) received in the period. Only the leads the reader's record rules
let them read count: the queries go through the ORM session like any list.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from addons.sales.models.currency import Currency
from addons.sales.models.lead import OPPORTUNITY, WON, Lead

from ..models import LeadTouch


@dataclass
class SourceLine:
    channel: str | None
    campaign: str | None
    leads: int = 0
    converted: int = 0
    won: int = 0
    revenue: dict[str, Decimal] = field(default_factory=dict)  # currency code -> won revenue
    submissions: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return (self.channel or "", self.campaign or "")


def source_report(session: Session, date_from: dt.datetime, date_to: dt.datetime
                  ) -> list[SourceLine]:
    """Lines for leads created in [date_from, date_to) (naive UTC), by channel
    then campaign. A lead without a channel counts under its `source`."""
    channel = func.coalesce(Lead.channel, Lead.source)
    converted = case(((Lead.type == OPPORTUNITY) | Lead.converted_at.is_not(None), 1), else_=0)
    won = case((Lead.status == WON, 1), else_=0)
    won_revenue = case((Lead.status == WON, Lead.expected_revenue), else_=0)
    rows = session.execute(
        select(channel, Lead.campaign, Lead.currency_id, func.count(Lead.id), func.sum(converted),
               func.sum(won), func.sum(won_revenue))
        .where(Lead.created_at >= date_from, Lead.created_at < date_to, channel.is_not(None))
        .group_by(channel, Lead.campaign, Lead.currency_id)).all()
    codes = dict(session.execute(select(Currency.id, Currency.code)).all())
    # a lead without a currency counts in the base currency, as sales' dashboard reads it
    codes[None] = session.scalar(select(Currency.code).where(Currency.is_base)) or ""
    lines: dict[tuple, SourceLine] = {}
    for source, campaign, currency_id, n, n_converted, n_won, revenue in rows:
        line = lines.setdefault((source, campaign), SourceLine(source, campaign))
        line.leads += n
        line.converted += int(n_converted or 0)
        line.won += int(n_won or 0)
        if n_won:
            code = codes.get(currency_id, "")
            line.revenue[code] = line.revenue.get(code, Decimal(0)) + Decimal(revenue or 0)
    touches = session.execute(
        select(LeadTouch.channel, LeadTouch.campaign, func.count(LeadTouch.id))
        .join(Lead, Lead.id == LeadTouch.lead_id)  # the reader's leads only
        .where(LeadTouch.touched_at >= date_from, LeadTouch.touched_at < date_to)
        .group_by(LeadTouch.channel, LeadTouch.campaign)).all()
    for source, campaign, n in touches:
        lines.setdefault((source, campaign), SourceLine(source, campaign)).submissions += n
    return sorted(lines.values(), key=lambda line: line.key)


def totals_by_channel(lines: list[SourceLine]) -> dict[str, dict[str, int]]:
    """Per channel: leads, converted, won (the chart's bars)."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"leads": 0, "converted": 0,
                                                             "won": 0})
    for line in lines:
        for key in ("leads", "converted", "won"):
            totals[line.channel or ""][key] += getattr(line, key)
    return dict(totals)
