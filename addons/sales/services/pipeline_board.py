"""The pipeline board's queries: one team's opportunities by stage.

Every query is an ORM statement on Lead, so the record rules filter cards and
totals alike (a salesperson's columns count and sum their own cards only).
Column totals are one GROUP BY over the board index (team, type, status,
stage) per currency; each currency's sum is then converted to the base
currency, and a currency without a rate is reported as such, never dropped.
Cards come in pages of PAGE_SIZE per column, keyset-paged on
(priority desc, expected close, id), with customer, owner and currency loaded
in the same query.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from core.security.actor import current_actor
from core.security.record_rules import scope_for
from core.security.teams import Team, user_team_ids

from ..models import Currency, Lead, Stage
from ..models.lead import OPEN, OPPORTUNITY, WON
from .currency_rates import MissingRate, base_currency, convert
from .money import round_money
from .stage_moves import pipeline_of

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
        ids = user_team_ids(session, actor.user_id) if actor.user_id else frozenset()
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
            raise BoardInputError(f"team: '{raw_team}' is not a team id") from None
        if team_id not in {t.id for t in teams}:
            raise BoardInputError(f"team: #{team_id} is not one of your teams")
    raw_owner = (args.get("owner") or "").strip()
    owner_id = None
    if raw_owner == "me":
        owner_id = current_actor().user_id
    elif raw_owner:
        try:
            owner_id = int(raw_owner)
        except ValueError:
            raise BoardInputError(f"owner: '{raw_owner}' is not a user id") from None
    return BoardFilter(team_id, owner_id, (args.get("q") or "").strip()[:200],
                       _date_arg(args, "close_from"), _date_arg(args, "close_to"))


def _date_arg(args, name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BoardInputError(f"{name}: '{raw}' is not a date (YYYY-MM-DD)") from None


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


def _column_condition(stage: Stage, stages: list[Stage]):
    """Which board rows sit in `stage`'s column: won ones in the won stage
    (whatever stage they were won from), open ones in their stage; an open one
    with no stage waits in the first column."""
    won = won_column(stages)
    if won is not None and stage.id == won.id:
        return or_(Lead.status == WON, and_(Lead.status == OPEN, Lead.stage_id == stage.id))
    in_stage = Lead.stage_id == stage.id
    if stage.id == stages[0].id:
        in_stage = or_(in_stage, Lead.stage_id.is_(None))
    if won is None:  # no won stage: won ones stay where they were won
        return in_stage
    return and_(Lead.status == OPEN, in_stage)


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
    default today) of each stage's column. A lead without a currency counts
    in the base currency."""
    day = day or date.today()
    rows = session.execute(
        select(Lead.stage_id, Lead.status, Lead.currency_id,
               func.count(Lead.id), func.sum(Lead.expected_revenue))
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
            column.total += convert(session, amount, currency, base, day)
        except MissingRate:
            column.unconverted.append(
                (currency.code, round_money(amount, currency.decimal_places)))
    for column in totals.values():
        if base is not None:
            column.total = round_money(column.total, base.decimal_places)
    return totals


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
        raise BoardInputError(f"after: '{raw}' is not a board cursor") from None


def column_cards(session: Session, f: BoardFilter, stage: Stage, stages: list[Stage],
                 after: str | None = None, limit: int = PAGE_SIZE
                 ) -> tuple[list[Lead], str | None]:
    """One page of a column's cards in board order, and the cursor of the next
    page (None when this is the last)."""
    query = (select(Lead).where(*_board_conditions(f), _column_condition(stage, stages))
             .options(joinedload(Lead.company), joinedload(Lead.person),
                      joinedload(Lead.owner), joinedload(Lead.currency))
             .order_by(Lead.priority.desc(), _close_key(), Lead.id)
             .limit(limit + 1))
    if after:
        priority, close, lead_id = decode_cursor(after)
        key = _close_key()
        query = query.where(or_(
            Lead.priority < priority,
            and_(Lead.priority == priority,
                 or_(key > close, and_(key == close, Lead.id > lead_id)))))
    cards = list(session.scalars(query).unique())
    if len(cards) > limit:
        cards = cards[:limit]
        return cards, encode_cursor(cards[-1])
    return cards, None


def board_columns(session: Session, f: BoardFilter, day: date | None = None) -> list[Column]:
    """The whole board: every stage of the team's pipeline with its totals and
    first page of cards (none for folded stages, which show totals only)."""
    stages = pipeline_of(session, f.team_id)
    totals = column_totals(session, f, stages, day)
    columns = []
    for stage in stages:
        column = Column(stage, totals[stage.id])
        if not stage.folded and column.totals.count:
            column.cards, column.next_cursor = column_cards(session, f, stage, stages)
        columns.append(column)
    return columns

