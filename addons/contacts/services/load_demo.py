"""`crossdock contacts demo`: store the demo contacts of data/demo_contacts.py.

Idempotent by key: every demo contact carries `source = "demo:<key>"`
(c0001, p0001...) and its timeline entries the source ("contacts.demo",
"<key>-<n>"), so a second run finds them and adds only what is missing (a
bigger --companies adds the new ones; nothing is duplicated or overwritten).
One transaction as the system actor: a record failing validation (named with
its key and field) leaves the database as it was. Values go through the
same checks as the forms (phone and e-mail lines, tax ids).

The demo salespeople (two teams) are created when missing, without a usable
login: inactive, with a random password nobody sees. `--logins` activates
them and prints a fresh random password for each, for a demo of the record
rules; it is never the default, so a production database does not gain
accounts anyone can guess.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import click
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from core.addons.demo_load import load_or_exit
from core.security.audit import record_event
from core.security.teams import Team

from ..data.demo_contacts import SALESPEOPLE, TEAMS, TAGS, generate
from ..models import Company, Person, Tag, Tier
from ..rules.field_error import ContactFieldError
from .contact_channels import parse_emails, parse_phones, replace_channels
from .timeline import attach

SOURCE_PREFIX = "demo:"
TIMELINE_SOURCE = "contacts.demo"
CONTACT_FIELDS = ("name", "street", "city", "province", "postal_code", "country_code",
                  "website", "industry", "job_title")


class DemoDataError(ValueError):
    """A demo record failed validation; names the record's key and the field."""


@dataclass
class DemoResult:
    companies_added: int = 0
    people_added: int = 0
    entries_added: int = 0
    users_added: list[str] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict)


def _salespeople(session: Session, logins: bool, result: DemoResult) -> dict[str, tuple]:
    """username -> (user, team), created when missing."""
    sm = current_app.appbuilder.sm
    role = sm.find_role("Salesperson")
    out = {}
    for team_name, members in TEAMS.items():
        team = session.scalars(select(Team).filter_by(name=team_name)).one_or_none()
        if team is None:
            team = Team(name=team_name)
            session.add(team)
        for username in members:
            user = session.scalars(select(sm.user_model).filter_by(username=username)).one_or_none()
            if user is None:
                last, first = SALESPEOPLE[username]
                user = sm.user_model(username=username, first_name=first, last_name=last,
                                     email=f"{username}@example.com", active=False,
                                     roles=[role],
                                     password=generate_password_hash(secrets.token_urlsafe(24)))
                session.add(user)
                result.users_added.append(username)
            if logins:
                password = secrets.token_urlsafe(12)
                user.password, user.active = generate_password_hash(password), True
                result.passwords[username] = password
            if user not in team.members:
                team.members.append(user)
            out[username] = (user, team)
    session.flush()
    return out


def _tags(session: Session) -> dict[str, Tag]:
    tags = {t.name: t for t in session.scalars(select(Tag).where(Tag.name.in_(TAGS)))}
    for name in TAGS:
        if name not in tags:
            tags[name] = Tag(name=name)
            session.add(tags[name])
    return tags


def _build(model, record: dict, refs: dict):
    """One contact from its record, checked like the form checks it."""
    try:
        contact = model(**{k: record[k] for k in CONTACT_FIELDS if k in record},
                        source=SOURCE_PREFIX + record["key"], active=True)
        if record.get("tax_id"):
            contact.tax_id = record["tax_id"]  # the model validates and normalises
        replace_channels(
            contact,
            parse_phones("\n".join(f"{k}: {v}" for k, v in record["phones"]), "phone_lines"),
            parse_emails("\n".join(f"{k}: {v}" for k, v in record["emails"]), "email_lines"))
    except ContactFieldError as exc:
        raise DemoDataError(f"demo record {record['key']} ({record['name']}): "
                            f"{exc.field}: {exc.message}") from None
    user, team = refs["owners"][record["owner"]]
    contact.owner, contact.team = user, team
    contact.tier = refs["tiers"].get(record["tier"]) if record["tier"] else None
    contact.tags = [refs["tags"][t] for t in record["tags"]]
    return contact


def _stored(session: Session, model) -> dict[str, object]:
    rows = session.scalars(select(model).where(model.source.like(SOURCE_PREFIX + "%")))
    return {row.source[len(SOURCE_PREFIX):]: row for row in rows}


def load_demo(session: Session, *, companies: int = 200, people: int = 400,
              logins: bool = False) -> DemoResult:
    """Add the demo contacts not stored yet; flushes, the caller commits."""
    result = DemoResult()
    demo = generate(companies, people)
    refs = {"owners": _salespeople(session, logins, result), "tags": _tags(session),
            "tiers": {t.name: t for t in session.scalars(select(Tier))}}
    stored_companies, stored_people = _stored(session, Company), _stored(session, Person)
    contacts = []
    for record in demo.companies:
        company = stored_companies.get(record["key"])
        if company is None:
            company = stored_companies[record["key"]] = _build(Company, record, refs)
            session.add(company)
            result.companies_added += 1
        contacts.append((company, record))
    session.flush()
    for record in demo.people:
        person = stored_people.get(record["key"])
        if person is None:
            person = _build(Person, record, refs)
            if record["company_key"]:
                person.company = stored_companies[record["company_key"]]
            session.add(person)
            result.people_added += 1
        contacts.append((person, record))
    session.flush()
    before = _entry_count(session)
    for contact, record in contacts:
        author = refs["owners"][record["owner"]][0].id
        for entry in record["timeline"]:
            attach(session, contact, entry["kind"], entry["subject"], body=entry["body"],
                   occurred_at=entry["occurred_at"], author_id=author,
                   source=(TIMELINE_SOURCE, f"{record['key']}-{entry['key']}"))
    result.entries_added = _entry_count(session) - before
    record_event(session, "demo_data_loaded", "contacts", details={
        "companies_added": result.companies_added, "people_added": result.people_added,
        "timeline_entries_added": result.entries_added, "users_added": result.users_added})
    return result


def _entry_count(session: Session) -> int:
    from sqlalchemy import func

    from ..models import TimelineEntry

    return session.scalar(select(func.count()).select_from(TimelineEntry)
                          .where(TimelineEntry.source_model == TIMELINE_SOURCE))


@click.command("demo")
@click.option("--companies", default=200, show_default=True, type=click.IntRange(0, 2000),
              help="How many demo companies (Chinese and international).")
@click.option("--people", default=400, show_default=True, type=click.IntRange(0, 10000),
              help="How many demo people.")
@click.option("--logins", is_flag=True,
              help="Activate the demo salespeople and print a new password for each.")
def demo_command(companies: int, people: int, logins: bool) -> None:
    """Load demo contacts (idempotent: what a previous run stored is kept)."""
    result = load_or_exit(lambda session: load_demo(session, companies=companies, people=people,
                                                    logins=logins), (DemoDataError,))
    click.echo(f"companies added: {result.companies_added} (of {companies})")
    click.echo(f"people added: {result.people_added} (of {people})")
    click.echo(f"timeline entries added: {result.entries_added}")
    if result.users_added:
        click.echo(f"demo salespeople created: {', '.join(result.users_added)}")
    for username, password in result.passwords.items():
        click.echo(f"login: {username} / {password}")
    if not logins:
        click.echo("demo salespeople cannot log in; rerun with --logins to give them passwords")
