"""The sales dashboard's figures: funnel, forecast, won/lost, activity backlog.

Every figure is an aggregate ORM select over the session (GROUP BY in the
database, never rows loaded), so the record rules the session applies limit
it like any list: a Salesperson's figures cover their own opportunities, a
Sales Manager's the team's, Admin's everything. The filters only narrow that
scope: asking for a colleague one may not read gives zeros, not their data.

Which date the period (`DashboardFilter.date_from/date_to`, inclusive days,
the reader's: a timestamp column compares with their local days in UTC,
core/user_time.py) applies to, per figure:

- funnel and conversion: `created_at` (opportunities created in the period);
- forecast: `expected_close` (open opportunities expected to close then);
- won/lost: `closed_at` (opportunities won or lost in the period);
- activity backlog: none (open activities as of `as_of`; see `activity_backlog`).

All figures cover opportunities (type 'opportunity'), not unqualified leads.
Amounts are summed per currency in SQL, each sum converted into the base
currency at the rate on `as_of` (services/catalog/currency_rates), added up as Decimal
and rounded once at the end (rules/money). A currency without a rate is
not dropped: its sums stay in their own currency under `unconverted`, and the
currency is listed in `Dashboard.missing_rates`. An opportunity without a
currency counts in the base currency (as on the pipeline board). Without a
base currency there is nothing to add up in: `dashboard` raises MissingRate.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Numeric, case, func, select, type_coerce
from sqlalchemy.orm import Session

from core.security.teams import Team
from core.user_time import today, utc_bounds

from ...models import Activity, Currency, Lead, LostReason, Stage
from ...models.lead import LOST, OPEN, OPPORTUNITY, WON
from ...rules.money import round_money
from ..catalog.currency_rates import MissingRate, base_currency, rate_on

# expected_revenue x probability keeps 2 decimals (probability is an integer)
_WEIGHTED = Numeric(28, 2)
_AMOUNT = Numeric(24, 2)


@dataclass(frozen=True)
class DashboardFilter:
    """What the reader narrowed the dashboard to; None means "any".
    `as_of` is "today" (the reader's): the day of the exchange rates and of overdue/today."""
    team_id: int | None = None
    owner_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    as_of: date = field(default_factory=today)


@dataclass
class Amount:
    """A sum in the base currency plus what could not be converted (code -> sum)."""
    value: Decimal = Decimal(0)
    unconverted: dict[str, Decimal] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"value": str(self.value),
                "unconverted": {k: str(v) for k, v in sorted(self.unconverted.items())}}


@dataclass
class FunnelStage:
    stage_id: int
    name: str
    sequence: int
    is_won: bool
    count: int  # open opportunities in the stage now
    amount: Amount  # their expected revenue
    reached: int  # opportunities that reached the stage (see `funnel`)
    conversion: Decimal | None  # reached(next stage) / reached(this), None if last or 0


@dataclass
class Pipeline:
    team_id: int | None  # None: the default pipeline (teams without stages of their own)
    name: str
    stages: list[FunnelStage]


@dataclass
class ForecastMonth:
    month: str  # YYYY-MM of expected_close
    count: int
    amount: Amount  # sum of expected revenue x probability / 100


@dataclass
class ReasonRow:
    reason_id: int | None
    reason: str
    count: int
    amount: Amount


@dataclass
class OwnerResult:
    owner_id: int | None
    owner: str
    won_count: int
    won_amount: Amount
    lost_count: int
    lost_amount: Amount


@dataclass
class BacklogRow:
    owner_id: int
    owner: str
    overdue: int
    today: int
    upcoming: int


@dataclass
class Dashboard:
    base_currency: str
    funnel: list[Pipeline]
    forecast: list[ForecastMonth]
    lost_by_reason: list[ReasonRow]
    by_owner: list[OwnerResult]
    backlog: list[BacklogRow]
    missing_rates: dict[str, str]  # currency code -> why it was not converted


class _Converter:
    """Converts per-currency sums into the base currency; remembers missing rates."""

    def __init__(self, session: Session, day: date):
        self.session, self.day = session, day
        self.base = base_currency(session)
        self.currencies = {c.id: c for c in session.scalars(select(Currency))}
        self.places = {c.code: c.decimal_places for c in self.currencies.values()}
        self.rates: dict[int, Decimal | None] = {}
        self.missing: dict[str, str] = {}

    def _rate(self, currency: Currency) -> Decimal | None:
        if currency.id not in self.rates:
            try:
                # units per base unit; the base's own rate is 1 (rate_on)
                self.rates[currency.id] = rate_on(self.session, currency, self.day)
            except MissingRate as exc:
                self.rates[currency.id] = None
                self.missing[currency.code] = str(exc)
        return self.rates[currency.id]

    def add(self, amount: Amount, currency_id: int | None, total) -> None:
        """Add a sum in `currency_id` (None: the base currency) to `amount`."""
        total = Decimal(total or 0)
        currency = self.currencies[currency_id] if currency_id else self.base
        rate = self._rate(currency)
        if rate is None:
            amount.unconverted[currency.code] = \
                amount.unconverted.get(currency.code, Decimal(0)) + total
        else:
            amount.value += total / rate

    def finish(self, amount: Amount) -> Amount:
        """Round once, at the end: base amounts to the base's places, the rest to theirs."""
        amount.value = round_money(amount.value, self.base.decimal_places)
        amount.unconverted = {code: round_money(v, self.places[code])
                              for code, v in amount.unconverted.items()}
        return amount


def _within(column, f: DashboardFilter, *, is_date: bool = False) -> list:
    """The period on `column`: a date column compares days, a (UTC) timestamp
    column [date_from 00:00, date_to + 1 day 00:00) of the reader's zone, so
    the last day counts whole."""
    if is_date:
        return [*([column >= f.date_from] if f.date_from else []),
                *([column <= f.date_to] if f.date_to else [])]
    start, end = utc_bounds(f.date_from, f.date_to)
    return [*([column >= start] if start else []), *([column < end] if end else [])]


def _lead_filters(f: DashboardFilter) -> list:
    """Team and owner filters on opportunities (record rules come from the session)."""
    out = [Lead.type == OPPORTUNITY]
    if f.team_id is not None:
        out.append(Lead.team_id == f.team_id)
    if f.owner_id is not None:
        out.append(Lead.owner_id == f.owner_id)
    return out


def _pipelines(session: Session) -> dict[int | None, list[Stage]]:
    """Each pipeline's active stages in order, keyed by the team owning them (None: default)."""
    stages = session.scalars(select(Stage).where(Stage.active)
                             .order_by(Stage.sequence, Stage.id)).all()
    by_team: dict[int | None, list[Stage]] = defaultdict(list)
    for s in stages:
        by_team[s.team_id].append(s)
    return by_team


def funnel(session: Session, f: DashboardFilter, money: _Converter) -> list[Pipeline]:
    """Open opportunities per stage (count, expected revenue) and conversion.

    An opportunity follows its team's pipeline (the team's own stages, else
    the default pipeline, as services/leads/stage_moves.pipeline_of). Among the
    opportunities created in the period, whatever their status, one has
    *reached* stage S of its pipeline when it is won, or when its current
    stage's sequence is >= S's (an open one passed every earlier stage; a lost
    one reached the stage it was lost in). Conversion from stage N to the next
    stage N+1 = reached(N+1) / reached(N), rounded to 4 places; None when
    nobody reached N or N is the last stage.
    """
    # every stage, archived ones too: an opportunity may still sit in one
    stage_seq = dict(session.execute(select(Stage.id, Stage.sequence)).all())
    pipelines = _pipelines(session)
    own_pipeline = {t for t in pipelines if t is not None}

    def pipeline_key(team_id):
        return team_id if team_id in own_pipeline else None

    # one pass over the period's opportunities: per stage, status and currency
    # (the open ones are the funnel's counts and values, all of them its history)
    rows = session.execute(
        select(Lead.team_id, Lead.stage_id, Lead.status, Lead.currency_id, func.count(),
               type_coerce(func.sum(Lead.expected_revenue), _AMOUNT))
        .where(*_lead_filters(f), *_within(Lead.created_at, f))
        .group_by(Lead.team_id, Lead.stage_id, Lead.status, Lead.currency_id)).all()
    history: dict[tuple, int] = defaultdict(int)  # (team, stage, status) -> opportunities
    counts: dict[int, int] = defaultdict(int)
    amounts: dict[int, Amount] = defaultdict(Amount)
    for team_id, stage_id, status, currency_id, n, total in rows:
        history[team_id, stage_id, status] += n
        if status == OPEN and stage_id is not None:
            counts[stage_id] += n
            money.add(amounts[stage_id], currency_id, total)

    shown = {pipeline_key(t) for t, _, _ in history}
    if f.team_id is not None:
        shown.add(pipeline_key(f.team_id))
    if not shown:
        shown.add(None)

    team_names = dict(session.execute(select(Team.id, Team.name)).all())
    out = []
    for key in sorted(shown, key=lambda k: (k is not None, team_names.get(k, ""))):
        stages = pipelines.get(key) or []
        reached = []
        for s in stages:
            n = 0
            for (team_id, stage_id, status), count in history.items():
                if pipeline_key(team_id) != key:
                    continue
                if status == WON:
                    n += count
                elif stage_id in stage_seq and stage_seq[stage_id] >= s.sequence:
                    n += count
            reached.append(n)
        figures = []
        for i, s in enumerate(stages):
            nxt = reached[i + 1] if i + 1 < len(stages) else None
            rate = None
            if nxt is not None and reached[i]:
                rate = (Decimal(nxt) / reached[i]).quantize(Decimal("0.0001"), ROUND_HALF_UP)
            figures.append(FunnelStage(s.id, s.name, s.sequence, s.is_won, counts.get(s.id, 0),
                                    money.finish(amounts[s.id]), reached[i], rate))
        name = team_names.get(key, "") if key is not None else ""
        out.append(Pipeline(key, name, figures))
    return out


def _month(session: Session, column):
    """YYYY-MM of a date column, in the database's own words."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def forecast(session: Session, f: DashboardFilter, money: _Converter) -> list[ForecastMonth]:
    """Per month of expected_close (in the period), open opportunities'
    sum(expected_revenue x probability / 100) in the base currency.
    Opportunities without an expected close date are not in the forecast."""
    month = _month(session, Lead.expected_close)
    rows = session.execute(
        select(month, Lead.currency_id, func.count(),
               type_coerce(func.sum(Lead.expected_revenue * Lead.probability), _WEIGHTED))
        .where(*_lead_filters(f), Lead.status == OPEN, Lead.expected_close.is_not(None),
               *_within(Lead.expected_close, f, is_date=True))
        .group_by(month, Lead.currency_id)).all()
    counts: dict[str, int] = defaultdict(int)
    amounts: dict[str, Amount] = defaultdict(Amount)
    for m, currency_id, n, weighted in rows:
        counts[m] += n
        money.add(amounts[m], currency_id, Decimal(weighted or 0) / 100)
    return [ForecastMonth(m, counts[m], money.finish(amounts[m])) for m in sorted(counts)]


def user_names(session: Session, ids) -> dict[int, str]:
    """Display names of users by id ("-" is create_user's placeholder last name)."""
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return {i: " ".join(p for p in (first, last) if p and p != "-") or username
            for i, first, last, username in session.execute(
                select(User.id, User.first_name, User.last_name, User.username)
                .where(User.id.in_(ids)))}


def won_lost(session: Session, f: DashboardFilter,
             money: _Converter) -> tuple[list[ReasonRow], list[OwnerResult]]:
    """Opportunities closed in the period (closed_at): lost ones per lost
    reason, and won and lost ones per salesperson, counts and expected revenue."""
    closed = [*_lead_filters(f), Lead.status.in_((WON, LOST)), *_within(Lead.closed_at, f)]
    if f.date_from or f.date_to:
        closed.append(Lead.closed_at.is_not(None))
    # one pass: per salesperson, status, lost reason and currency
    rows = session.execute(
        select(Lead.owner_id, Lead.status, Lead.lost_reason_id, Lead.currency_id,
               func.count(), type_coerce(func.sum(Lead.expected_revenue), _AMOUNT))
        .where(*closed)
        .group_by(Lead.owner_id, Lead.status, Lead.lost_reason_id, Lead.currency_id)).all()
    r_count: dict[int | None, int] = defaultdict(int)
    r_amount: dict[int | None, Amount] = defaultdict(Amount)
    counts: dict[tuple, int] = defaultdict(int)
    amounts: dict[tuple, Amount] = defaultdict(Amount)
    for owner_id, status, reason_id, currency_id, n, total in rows:
        counts[owner_id, status] += n
        money.add(amounts[owner_id, status], currency_id, total)
        if status == LOST:
            r_count[reason_id] += n
            money.add(r_amount[reason_id], currency_id, total)
    reasons = dict(session.execute(select(LostReason.id, LostReason.name)).all())
    reason_rows = [ReasonRow(rid, reasons.get(rid, "") if rid else "", r_count[rid],
                             money.finish(r_amount[rid]))
                   for rid in sorted(r_count, key=lambda r: (-r_count[r], reasons.get(r, "")))]
    owners = {o for o, _ in counts}
    names = user_names(session, owners)
    owner_rows = [OwnerResult(o, names.get(o, ""),
                              counts[o, WON], money.finish(amounts[o, WON]),
                              counts[o, LOST], money.finish(amounts[o, LOST]))
                  for o in sorted(owners, key=lambda o: (names.get(o, ""), o or 0))]
    return reason_rows, owner_rows


def open_pipeline(session: Session, f: DashboardFilter) -> tuple[int, Amount]:
    """How many opportunities are open, and their expected revenue in the base
    currency (converted as on the dashboard); the home page's pipeline tile.
    Raises MissingRate without a base currency."""
    money = _Converter(session, f.as_of)
    count, amount = 0, Amount()
    total_revenue = type_coerce(func.sum(Lead.expected_revenue), _AMOUNT)
    for currency_id, n, total in session.execute(
            select(Lead.currency_id, func.count(), total_revenue)
            .where(Lead.status == OPEN, *_lead_filters(f)).group_by(Lead.currency_id)):
        count += n
        money.add(amount, currency_id, total)
    return count, money.finish(amount)


def activity_backlog(session: Session, f: DashboardFilter) -> list[BacklogRow]:
    """Open activities (not done) per owner: overdue (due before `as_of`),
    today, upcoming. Team and owner filters apply; the period does not (a
    backlog is what is open now)."""
    day = f.as_of
    where = [Activity.done_at.is_(None)]
    if f.team_id is not None:
        where.append(Activity.team_id == f.team_id)
    if f.owner_id is not None:
        where.append(Activity.owner_id == f.owner_id)
    rows = session.execute(
        select(Activity.owner_id,
               func.sum(case((Activity.due_date < day, 1), else_=0)),
               func.sum(case((Activity.due_date == day, 1), else_=0)),
               func.sum(case((Activity.due_date > day, 1), else_=0)))
        .where(*where).group_by(Activity.owner_id)).all()
    names = user_names(session, [r[0] for r in rows])
    return sorted((BacklogRow(o, names.get(o, ""), int(a or 0), int(b or 0), int(c or 0))
                   for o, a, b, c in rows), key=lambda r: (r.owner, r.owner_id))


def dashboard(session: Session, f: DashboardFilter) -> Dashboard:
    """Every figure of the dashboard for `f`, within the reader's record rules."""
    money = _Converter(session, f.as_of)
    pipelines = funnel(session, f, money)
    months = forecast(session, f, money)
    reasons, owners = won_lost(session, f, money)
    return Dashboard(money.base.code, pipelines, months, reasons, owners,
                     activity_backlog(session, f), dict(sorted(money.missing.items())))


def as_json(d: Dashboard) -> dict:
    """The dashboard as JSON-ready data (amounts and ratios as strings)."""
    def ratio(x):
        return None if x is None else str(x)

    return {
        "base_currency": d.base_currency,
        "funnel": [{"team_id": p.team_id, "name": p.name, "stages": [
            {"stage_id": s.stage_id, "name": s.name, "sequence": s.sequence,
             "is_won": s.is_won, "count": s.count, **s.amount.as_json(),
             "reached": s.reached, "conversion": ratio(s.conversion)}
            for s in p.stages]} for p in d.funnel],
        "forecast": [{"month": m.month, "count": m.count, **m.amount.as_json()}
                     for m in d.forecast],
        "lost_by_reason": [{"reason_id": r.reason_id, "reason": r.reason, "count": r.count,
                            **r.amount.as_json()} for r in d.lost_by_reason],
        "by_owner": [{"owner_id": o.owner_id, "owner": o.owner,
                      "won_count": o.won_count, "won_value": str(o.won_amount.value),
                      "won_unconverted": o.won_amount.as_json()["unconverted"],
                      "lost_count": o.lost_count, "lost_value": str(o.lost_amount.value),
                      "lost_unconverted": o.lost_amount.as_json()["unconverted"]}
                     for o in d.by_owner],
        "backlog": [
            {"owner_id": b.owner_id, "owner": b.owner, "overdue": b.overdue,
             "today": b.today, "upcoming": b.upcoming} for b in d.backlog],
        "missing_rates": d.missing_rates,
    }
