"""`crossdock sales demo`: the demo sales data of data/demo_sales.py on top
of the contacts demo (loaded first, by the contacts addon's own loader, when
the demo contacts the deals refer to are missing).

Idempotent by key: stages by (team, name), products by code, price lists by
name, rates by (currency, day), leads by name within the demo campaign
(`Lead.campaign = "Demo 2026"`); a lead's activities and orders are added
only with the lead itself, so a second run adds nothing. One transaction as
the system actor: any error leaves the database as it was.

Won and lost deals go through services/leads/lead_outcome.py (audited, closed_at,
lost reason), so the demo's history looks like a user made it. The demo
Sales Managers are created like the contacts demo's salespeople: inactive,
with a random password, unless --logins.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

import click
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from addons.contacts.models import Company, Person, Tier
from addons.contacts.services.load_demo import (
    SOURCE_PREFIX as CONTACT_SOURCE, load_demo as load_contacts_demo,
)
from core.addons.demo_load import load_or_exit
from core.security.actor import Actor, acting_as
from core.security.audit import record_event
from core.security.teams import Team
from core.user_time import today as local_today

from ...data import demo_sales as data
from ...models import (
    Currency, CurrencyRate, Lead, LostReason, PriceList, PriceListItem, Product,
    Stage, Tax,
)
from ...models.assignment_rule import AssignmentMember, AssignmentRule
from ...models.sales_order import SalesOrder
from ..activities import scheduling as activities
from ..leads.lead_outcome import mark_lost, mark_won
from ..leads.stage_moves import first_stage, stage_allowed
from ..orders import order_states
from ..orders.order_lines import new_line


class SalesDemoError(ValueError):
    """The demo cannot be loaded (a prerequisite is missing); says which."""


@dataclass
class SalesDemoResult:
    contacts_loaded: bool = False
    stages_added: int = 0
    rates_added: int = 0
    products_added: int = 0
    price_lists_added: int = 0
    rules_added: int = 0
    leads_added: int = 0
    activities_added: int = 0
    orders_added: int = 0
    orders_confirmed: int = 0
    users_added: list[str] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict)

    def summary(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "passwords"}


def _today() -> dt.date:
    return local_today()


def _contacts(session: Session, logins: bool, result: SalesDemoResult) -> tuple[dict, dict]:
    """The demo companies and people by key; the contacts demo loaded when missing."""
    demo = data.generate()
    wanted_c = {r["company_key"] for r in demo.leads if r["company_key"]}
    wanted_p = {r["person_key"] for r in demo.leads if r["person_key"]}

    def stored(model, keys):
        rows = session.scalars(select(model).where(
            model.source.in_([CONTACT_SOURCE + k for k in keys])))
        return {row.source[len(CONTACT_SOURCE):]: row for row in rows}

    companies, people = stored(Company, wanted_c), stored(Person, wanted_p)
    if logins or len(companies) < len(wanted_c) or len(people) < len(wanted_p):
        contacts = load_contacts_demo(session, logins=logins)
        result.contacts_loaded = bool(contacts.companies_added or contacts.people_added)
        result.users_added += contacts.users_added
        result.passwords.update(contacts.passwords)
        companies, people = stored(Company, wanted_c), stored(Person, wanted_p)
    return companies, people


def _users(session: Session, logins: bool, result: SalesDemoResult) -> tuple[dict, dict]:
    """username -> user (salespeople and managers), team name -> team."""
    sm = current_app.appbuilder.sm
    teams = {t.name: t for t in session.scalars(
        select(Team).where(Team.name.in_(data.STAGES)))}
    missing = set(data.STAGES) - set(teams)
    if missing:
        raise SalesDemoError(f"demo teams missing: {', '.join(sorted(missing))} "
                             f"(the contacts demo creates them)")
    role = sm.find_role("Sales Manager")
    for username, (last, first, team_name) in data.MANAGERS.items():
        user = session.scalars(select(sm.user_model).filter_by(username=username)).one_or_none()
        if user is None:
            user = sm.user_model(username=username, first_name=first, last_name=last,
                                 email=f"{username}@example.com", active=False, roles=[role],
                                 password=generate_password_hash(secrets.token_urlsafe(24)))
            session.add(user)
            result.users_added.append(username)
        if logins:
            password = secrets.token_urlsafe(12)
            user.password, user.active = generate_password_hash(password), True
            result.passwords[username] = password
        if user not in teams[team_name].members:
            teams[team_name].members.append(user)
    names = [u for t in teams.values() for u in t.members]
    session.flush()
    return {u.username: u for u in names}, teams


def _stages(session: Session, teams: dict, result: SalesDemoResult) -> dict[str, list[Stage]]:
    out = {}
    for team_name, stages in data.STAGES.items():
        team = teams[team_name]
        have = {s.name: s for s in session.scalars(select(Stage).filter_by(team_id=team.id))}
        for n, (name, probability, won, folded) in enumerate(stages, start=1):
            if name not in have:
                have[name] = Stage(name=name, team=team, sequence=n * 10,
                                   probability=probability, is_won=won, folded=folded)
                session.add(have[name])
                result.stages_added += 1
        out[team_name] = [have[name] for name, *_ in stages]
    session.flush()
    return out


def _currencies(session: Session, result: SalesDemoResult) -> dict[str, Currency]:
    currencies = {c.code: c for c in session.scalars(select(Currency))}
    for code, rates in data.RATES.items():
        have = set(session.scalars(select(CurrencyRate.effective_date)
                                   .filter_by(currency_id=currencies[code].id)))
        for month, rate in enumerate(rates, start=1):
            day = dt.date(data.RATE_YEAR, month, 1)
            if day not in have:
                session.add(CurrencyRate(currency=currencies[code], effective_date=day,
                                         rate=Decimal(rate)))
                result.rates_added += 1
    return currencies


def _products(session: Session, currencies: dict, result: SalesDemoResult) -> dict:
    taxes = {t.name: t for t in session.scalars(select(Tax))}
    missing = sorted({p[3] for p in data.PRODUCTS} - set(taxes))
    if missing:
        raise SalesDemoError(f"tax {', '.join(missing)} missing: the demo products use it "
                             f"(Sales > Configuration > Taxes)")
    have = {p.code: p for p in session.scalars(
        select(Product).where(Product.code.in_([p[0] for p in data.PRODUCTS])))}
    for code, name, unit, tax, cny, _usd, _eur in data.PRODUCTS:
        if code not in have:
            have[code] = Product(code=code, name=name, unit=unit, list_price=Decimal(cny),
                                 currency=currencies["CNY"], tax=taxes[tax], active=True)
            session.add(have[code])
            result.products_added += 1
    session.flush()
    prices = {p[0]: {"CNY": Decimal(p[4]), "USD": Decimal(p[5]), "EUR": Decimal(p[6])}
              for p in data.PRODUCTS}
    tiers = {t.name: t for t in session.scalars(select(Tier))}
    for name, tier, code, breaks in data.PRICE_LISTS:
        if session.scalar(select(PriceList.id).filter_by(name=name)) is not None:
            continue
        price_list = PriceList(name=name, currency=currencies[code], tier=tiers.get(tier),
                               active=True)
        for product_code, product in have.items():
            for min_quantity, off in breaks:
                price = prices[product_code][code] * (100 - off) / 100
                price_list.items.append(PriceListItem(
                    product=product, min_quantity=Decimal(min_quantity),
                    unit_price=price.quantize(Decimal("0.01"))))
        session.add(price_list)
        result.price_lists_added += 1
    session.flush()
    return have


def _leads(session: Session, demo, refs: dict, result: SalesDemoResult) -> dict[str, Lead]:
    """Add the demo leads not stored yet; returns key -> lead for the new ones."""
    today = _today()
    stored = set(session.scalars(select(Lead.name).where(Lead.campaign == data.CAMPAIGN)))
    reasons = {r.name: r for r in session.scalars(select(LostReason))}
    for name in data.LOST_REASONS:  # renamed or deleted defaults: the demo brings its own
        if name not in reasons:
            reasons[name] = LostReason(name=name, active=True)
            session.add(reasons[name])
    added = {}
    for record in demo.leads:
        if record["name"] in stored:
            continue
        owner = refs["users"][record["owner"]] if record["owner"] else None
        team = refs["teams"][record["team"]] if owner is not None else None
        stage = refs["stages"][record["team"]][record["stage"]] if team is not None else None
        lead = Lead(
            type=record["type"], name=record["name"], campaign=data.CAMPAIGN,
            company=refs["companies"].get(record["company_key"]),
            person=refs["people"].get(record["person_key"]),
            contact_name=record["contact_name"], company_name=record["company_name"],
            email=record["email"], source=record["source"], region=record["region"],
            owner=owner, team=team, stage=stage,
            probability=stage.probability if stage is not None else 10,
            expected_revenue=record["expected_revenue"],
            currency=refs["currencies"][record["currency"]],
            expected_close=today + dt.timedelta(days=record["close_in_days"]),
            priority=record["priority"],
            created_at=dt.datetime.combine(today, dt.time(9)) - dt.timedelta(
                days=(record["closed_days_ago"] or 0) + 30))
        session.add(lead)
        session.flush()
        if record["status"] != "open":
            if record["status"] == "won":
                mark_won(session, lead)
            else:
                mark_lost(session, lead, reasons[record["lost_reason"]])
            # closed some days ago (the outcome service stamps now): a history to chart
            lead.closed_at = dt.datetime.combine(
                today - dt.timedelta(days=record["closed_days_ago"]), dt.time(16))
        added[record["key"]] = lead
        result.leads_added += 1
    session.flush()
    for record in demo.leads:
        if record["key"] in added and record["owner"] is None:
            _place_assigned(session, added[record["key"]])
    session.flush()
    return added


def _place_assigned(session: Session, lead: Lead) -> None:
    """An unassigned lead an assignment rule handed to a team as it was stored
    (services/leads/lead_assignment.py): in that team's pipeline, as a new lead of the
    team would be (the assignment's Core UPDATE leaves the stage as it was)."""
    session.refresh(lead, ["owner_id", "team_id"])
    if lead.team_id is not None and not stage_allowed(session, lead, lead.stage):
        lead.stage = first_stage(session, lead.team_id)


def _as_user(user) -> Actor:
    return Actor(user.id, user.username, frozenset(r.name for r in user.roles))


def _activities(session: Session, demo, added: dict, users: dict,
                result: SalesDemoResult) -> None:
    """Planned activities on the new demo deals (due dates around today, some
    overdue); on closed deals done ones, completed by their owner through the
    activity service (note and timeline entry)."""
    today = _today()
    by_id = {u.id: u for u in users.values()}
    for record in demo.leads:
        lead = added.get(record["key"])
        if lead is None:
            continue
        if lead.owner_id is None:
            continue
        for activity in record["activities"]:
            with acting_as(_as_user(by_id[lead.owner_id])):
                row = activities.schedule(
                    session, lead, kind=activity["kind"], summary=activity["summary"],
                    due_date=today + dt.timedelta(days=activity["due_in_days"]),
                    owner_id=lead.owner_id)
                if activity["done"]:
                    activities.mark_done(session, row, note="Demo")
            result.activities_added += 1
    session.flush()


def _assignment_rules(session: Session, teams: dict, users: dict,
                      result: SalesDemoResult) -> None:
    """The demo's rules, before the leads: the unassigned demo leads a rule
    matches are handed out as they are created (services/leads/lead_assignment.py)."""
    have = set(session.scalars(select(AssignmentRule.name)))
    for n, (name, source, region, team, pool) in enumerate(data.ASSIGNMENT_RULES, start=1):
        if name in have:
            continue
        session.add(AssignmentRule(
            name=name, sequence=n * 10, source=source, region=region, team=teams[team],
            members=[AssignmentMember(user=users[u], weight=w, capacity=c)
                     for u, w, c in pool]))
        result.rules_added += 1
    session.flush()


def _orders(session: Session, demo, added: dict, products: dict,
            result: SalesDemoResult) -> None:
    """Quotations on the new demo deals; the won deals' confirmed by their
    salesperson through the order service (sync request, audit, timeline)."""
    today = _today()
    for n, record in enumerate(demo.orders):
        lead = added.get(record["lead_key"])
        if lead is None:
            continue
        order = SalesOrder(company=lead.company, person=lead.person, lead=lead,
                           owner=lead.owner, team=lead.team, currency=lead.currency,
                           order_date=today, validity_date=today + dt.timedelta(days=30))
        session.add(order)
        for line in record["lines"]:
            new_line(session, order, products[line["product"]], line["quantity"])
        session.flush()
        result.orders_added += 1
        owner = lead.owner
        with acting_as(_as_user(owner)):
            if record["confirm"]:
                order_states.confirm(session, order)
                result.orders_confirmed += 1
            elif n % 2:
                order_states.send(session, order)


def load_demo(session: Session, *, logins: bool = False) -> SalesDemoResult:
    """Add the sales demo records not stored yet; flushes, the caller commits."""
    result = SalesDemoResult()
    demo = data.generate()
    companies, people = _contacts(session, logins, result)
    users, teams = _users(session, logins, result)
    currencies = _currencies(session, result)
    refs = {"companies": companies, "people": people, "users": users, "teams": teams,
            "stages": _stages(session, teams, result), "currencies": currencies}
    refs["products"] = _products(session, currencies, result)
    _assignment_rules(session, teams, users, result)
    added = _leads(session, demo, refs, result)
    _activities(session, demo, added, users, result)
    _orders(session, demo, added, refs["products"], result)
    record_event(session, "demo_data_loaded", "sales", details=result.summary())
    return result


def load_products(session: Session) -> SalesDemoResult:
    """The demo's products alone (with the exchange rates and price lists),
    for a demo built on them without the contacts, leads and orders; flushes."""
    result = SalesDemoResult()
    _products(session, _currencies(session, result), result)
    return result


def demo_counts(session: Session) -> dict[str, int]:
    """How many demo leads and opportunities are stored (for the command's output)."""
    rows = session.execute(select(Lead.type, func.count()).where(
        Lead.campaign == data.CAMPAIGN).group_by(Lead.type)).all()
    return dict(rows)


@click.command("demo")
@click.option("--logins", is_flag=True,
              help="Activate the demo salespeople and managers and print a new password "
                   "for each.")
def demo_command(logins: bool) -> None:
    """Load demo sales data on top of the contacts demo (idempotent)."""
    result = load_or_exit(lambda session: load_demo(session, logins=logins), (SalesDemoError,))
    if result.contacts_loaded:
        click.echo("contacts demo loaded first")
    for label, value in (("stages added", result.stages_added),
                         ("exchange rates added", result.rates_added),
                         ("products added", result.products_added),
                         ("price lists added", result.price_lists_added),
                         ("assignment rules added", result.rules_added),
                         ("leads and opportunities added", result.leads_added),
                         ("activities added", result.activities_added),
                         ("quotations and orders added", result.orders_added),
                         ("orders confirmed", result.orders_confirmed)):
        click.echo(f"{label}: {value}")
    if result.users_added:
        click.echo(f"demo users created: {', '.join(result.users_added)}")
    for username, password in result.passwords.items():
        click.echo(f"login: {username} / {password}")
    if not logins:
        click.echo("demo users cannot log in; rerun with --logins to give them passwords")
