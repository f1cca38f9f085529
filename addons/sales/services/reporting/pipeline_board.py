"""The pipeline board's queries: one team's opportunities by stage.

Every query is an ORM statement on Lead, so the record rules filter cards and
totals alike (a salesperson's columns count and sum their own cards only).
Column totals are one GROUP BY over the board index (team, type, status,
stage) per currency; each currency's sum is then converted to the base
currency, and a currency without a rate is reported as such, never dropped.
Cards come in pages of PAGE_SIZE per column, keyset-paged on
(priority desc, expected close, id): each column's ids first, from the index
alone, then the board's cards with customer, owner and currency in one query.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from core.security.actor import current_actor
from core.security.record_rules import rule_actor, scope_for
from core.security.teams import Team
from core.user_time import today

from ...models import Currency, Lead, Stage
from ...models.lead import OPEN, OPPORTUNITY, WON
from ...rules.money import round_money
from ..catalog.currency_rates import MissingRate, base_currency, convert, rate_on
from ..leads.stage_moves import pipeline_of

PAGE_SIZE = 40
NO_TEAM = "none"  # the board of opportunities that belong to no team
_LAST_DAY = date(9999, 12, 31)  # sorts "no expected close" after every date


class BoardInputError(ValueError):
    """A board parameter that cannot be used; the message names it and why."""


@dataclass(frozen=True)
class BoardFilter:
    """What the board shows: a team (None = no team), optionally one owner,
    a search text (name or customer) and an expected-close period."""
    team_id: int | None
    owner_id: int | None = None
    search: str = ""
    close_from: date | None = None
    close_to: date | None = None


@dataclass
class ColumnTotals:
    count: int = 0
    total: Decimal = Decimal("0")  # in the base currency, converted groups only
    # (currency code, amount) of groups that could not be converted
    unconverted: list[tuple[str, Decimal]] = field(default_factory=list)


@dataclass
class Column:
    stage: Stage
    totals: ColumnTotals
    cards: list[Lead] = field(default_factory=list)
    next_cursor: str | None = None

    @property
    def folded(self) -> bool:
        return self.stage.folded


# -- teams -------------------------------------------------------------------

def board_teams(session: Session) -> list[Team]:
    """The teams whose board the current user may open: every team for those
    who read all opportunities (admin, read-only), else the user's own teams."""
    actor = current_actor()
    query = select(Team).order_by(Team.name)
    if scope_for(Lead, actor, "read") != "all":
        ids = rule_actor(session, actor).team_ids  # read once per request
        query = query.where(Team.id.in_(ids))
    return list(session.scalars(query))


def parse_filter(session: Session, args, teams: list[Team]) -> BoardFilter:
    """Build the filter from query parameters (team, owner, q, close_from,
    close_to). An unknown team, or one not among `teams`, is refused."""
    raw_team = (args.get("team") or "").strip()
    if not raw_team:
        team_id = teams[0].id if teams else None
    elif raw_team == NO_TEAM:
        team_id = None
    else:
        try:
            team_id = int(raw_team)
        except ValueError:
            raise BoardInputError(gettext("team: '%(value)s' is not a team id",
                                           value=raw_team)) from None
        if team_id not in {t.id for t in teams}:
            raise BoardInputError(gettext("team: #%(id)s is not one of your teams", id=team_id))
    raw_owner = (args.get("owner") or "").strip()
    owner_id = None
    if raw_owner == "me":
        owner_id = current_actor().user_id
    elif raw_owner:
        try:
            owner_id = int(raw_owner)
        except ValueError:
            raise BoardInputError(gettext("owner: '%(value)s' is not a user id",
                                           value=raw_owner)) from None
    return BoardFilter(team_id, owner_id, (args.get("q") or "").strip()[:200],
                       _date_arg(args, "close_from"), _date_arg(args, "close_to"))


def _date_arg(args, name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BoardInputError(gettext("%(field)s: '%(value)s' is not a date (YYYY-MM-DD)",
                                       field=name, value=raw)) from None


# -- conditions ---------------------------------------------------------------

def _board_conditions(f: BoardFilter) -> list:
    """Opportunities of the team that are open or won (lost ones leave the board)."""
    team = Lead.team_id == f.team_id if f.team_id is not None else Lead.team_id.is_(None)
    conds = [team, Lead.type == OPPORTUNITY, Lead.status.in_((OPEN, WON))]
    if f.owner_id is not None:
        conds.append(Lead.owner_id == f.owner_id)
    if f.search:
        from addons.contacts.models import Company, Person

        text = f.search
        conds.append(or_(Lead.name.icontains(text, autoescape=True),
                         Lead.company_name.icontains(text, autoescape=True),
                         Lead.contact_name.icontains(text, autoescape=True),
                         Lead.company.has(Company.name.icontains(text, autoescape=True)),
                         Lead.person.has(Person.name.icontains(text, autoescape=True))))
    if f.close_from is not None:
        conds.append(Lead.expected_close >= f.close_from)
    if f.close_to is not None:
        conds.append(Lead.expected_close <= f.close_to)
    return conds


def won_column(stages: list[Stage]) -> Stage | None:
    """The pipeline's won stage among `stages` (already loaded), if any."""
    return next((s for s in stages if s.is_won), None)


def _column_of(stage_id: int | None, status: str, stages: list[Stage]) -> Stage | None:
    won = won_column(stages)
    if status == WON and won is not None:
        return won
    if stage_id is None:
        return stages[0] if stages else None
    return next((s for s in stages if s.id == stage_id), None)


# -- totals -------------------------------------------------------------------

def column_totals(session: Session, f: BoardFilter, stages: list[Stage],
                  day: date | None = None) -> dict[int, ColumnTotals]:
    """Count and expected revenue (in the base currency, converted on `day`,
    default the reader's today) of each stage's column. A lead without a currency counts
    in the base currency."""
    day = day or today()
    rows = session.execute(
        select(Lead.stage_id, Lead.status, Lead.currency_id,
               func.count(), func.sum(Lead.expected_revenue))
        .where(*_board_conditions(f))
        .group_by(Lead.stage_id, Lead.status, Lead.currency_id)).all()
    totals = {s.id: ColumnTotals() for s in stages}
    try:
        base = base_currency(session)
    except MissingRate:
        base = None
    currencies = {c.id: c for c in session.scalars(select(Currency))}
    # sum per column and currency first, so each currency converts once per column
    sums: dict[tuple[int, int | None], Decimal] = {}
    rates: dict[int, Decimal | MissingRate] = {}
    for stage_id, status, currency_id, count, amount in rows:
        stage = _column_of(stage_id, status, stages)
        if stage is None:  # a stage no longer in the pipeline: not on this board
            continue
        totals[stage.id].count += count
        key = (stage.id, currency_id if currency_id is not None else
               (base.id if base is not None else None))
        sums[key] = sums.get(key, Decimal("0")) + Decimal(amount or 0)
    for (stage_id, currency_id), amount in sorted(sums.items(), key=lambda kv: (
            kv[0][0], kv[0][1] or 0)):
        column = totals[stage_id]
        currency = currencies.get(currency_id)
        if base is None or currency is None:
            column.unconverted.append((currency.code if currency else "?", amount))
            continue
        try:
            column.total += _to_base(session, rates, amount, currency, base, day)
        except MissingRate:
            column.unconverted.append(
                (currency.code, round_money(amount, currency.decimal_places)))
    for column in totals.values():
        if base is not None:
            column.total = round_money(column.total, base.decimal_places)
    return totals


def _to_base(session: Session, rates: dict, amount: Decimal, currency: Currency,
             base: Currency, day: date) -> Decimal:
    """`convert` to the base currency with each currency's rate read once per
    board (a rate query per column and currency was a third of the page)."""
    if currency.id == base.id:
        return convert(session, amount, currency, base, day)
    if currency.id not in rates:
        try:
            rates[currency.id] = rate_on(session, currency, day)
        except MissingRate as exc:
            rates[currency.id] = exc
    rate = rates[currency.id]
    if isinstance(rate, MissingRate):
        raise rate
    # as convert(): amount / rate(source) * rate(base), the base's rate being 1
    return round_money(Decimal(amount) / rate, base.decimal_places)


# -- cards --------------------------------------------------------------------

def _close_key():
    return func.coalesce(Lead.expected_close, _LAST_DAY)


def encode_cursor(lead: Lead) -> str:
    close = (lead.expected_close or _LAST_DAY).isoformat()
    return f"{lead.priority}|{close}|{lead.id}"


def decode_cursor(raw: str) -> tuple[int, date, int]:
    try:
        priority, close, lead_id = raw.split("|")
        return int(priority), date.fromisoformat(close), int(lead_id)
    except ValueError:
        raise BoardInputError(gettext("after: '%(value)s' is not a board cursor",
                                       value=raw)) from None


def _column_branches(stage: Stage, stages: list[Stage]) -> list:
    """Which board rows sit in `stage`'s column: won ones in the won stage
    (whatever stage they were won from), open ones in their stage; an open one
    with no stage waits in the first column. Given as conditions to OR, each
    an equality prefix of ix_sales_lead_board_cards: an OR inside one query
    makes the database give up the index's stage column and read far more."""
    won = won_column(stages)
    open_ = Lead.status == OPEN
    if won is not None and stage.id == won.id:
        return [Lead.status == WON, and_(open_, Lead.stage_id == stage.id)]
    branches = [Lead.stage_id == stage.id]
    if stage.id == stages[0].id:
        branches.append(Lead.stage_id.is_(None))
    if won is None:
        return branches
    return [and_(open_, b) for b in branches]


def _card_ids(session: Session, f: BoardFilter, stage: Stage, stages: list[Stage],
              after: str | None, limit: int) -> list[int]:
    """Ids of one page of a column in board order. Only Lead's own columns are
    read, so the database answers from ix_sales_lead_board_cards alone and
    sorts the column's index entries, not its rows (migration 0007); a column
    made of two branches (won + open in the won stage, no stage + first stage)
    takes a page of each and merges them."""
    key = _close_key()
    rows = []
    for branch in _column_branches(stage, stages):
        query = (select(Lead.priority, key, Lead.id)
                 .where(*_board_conditions(f), branch)
                 .order_by(Lead.priority.desc(), key, Lead.id)
                 .limit(limit))
        if after:
            priority, close, lead_id = decode_cursor(after)
            query = query.where(or_(
                Lead.priority < priority,
                and_(Lead.priority == priority,
                     or_(key > close, and_(key == close, Lead.id > lead_id)))))
        rows.extend(session.execute(query).all())
    rows.sort(key=lambda r: (-r[0], r[1], r[2]))
    return [r[2] for r in rows[:limit]]


def _load_cards(session: Session, ids: list[int]) -> dict[int, Lead]:
    """The cards of `ids` with customer, owner and currency, in one query
    (an ORM statement: the record rules still apply)."""
    if not ids:
        return {}
    query = (select(Lead).where(Lead.id.in_(ids))
             .options(joinedload(Lead.company), joinedload(Lead.person),
                      joinedload(Lead.owner), joinedload(Lead.currency)))
    return {lead.id: lead for lead in session.scalars(query).unique()}


def _page(ids: list[int], leads: dict[int, Lead], limit: int
          ) -> tuple[list[Lead], str | None]:
    """The cards of a page in the order of `ids` (one more than `limit` was
    fetched: it says whether a next page exists)."""
    cards = [leads[i] for i in ids[:limit] if i in leads]
    if len(ids) > limit and cards:
        return cards, encode_cursor(cards[-1])
    return cards, None


def column_cards(session: Session, f: BoardFilter, stage: Stage, stages: list[Stage],
                 after: str | None = None, limit: int = PAGE_SIZE
                 ) -> tuple[list[Lead], str | None]:
    """One page of a column's cards in board order, and the cursor of the next
    page (None when this is the last)."""
    ids = _card_ids(session, f, stage, stages, after, limit + 1)
    return _page(ids, _load_cards(session, ids[:limit]), limit)


def board_columns(session: Session, f: BoardFilter, day: date | None = None) -> list[Column]:
    """The whole board: every stage of the team's pipeline with its totals and
    first page of cards (none for folded stages, which show totals only)."""
    stages = pipeline_of(session, f.team_id)
    totals = column_totals(session, f, stages, day)
    # ids per column first (index-only), then every card of the page in one query
    ids = {stage.id: _card_ids(session, f, stage, stages, None, PAGE_SIZE + 1)
           for stage in stages if not stage.folded and totals[stage.id].count}
    leads = _load_cards(session, [i for col in ids.values() for i in col[:PAGE_SIZE]])
    columns = []
    for stage in stages:
        column = Column(stage, totals[stage.id])
        if stage.id in ids:
            column.cards, column.next_cursor = _page(ids[stage.id], leads, PAGE_SIZE)
        columns.append(column)
    return columns

