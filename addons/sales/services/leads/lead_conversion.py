"""Converting a lead into an opportunity, linked to its customer.

Two steps, so the user decides:

`candidates(session, lead) -> Candidates`
    Existing companies and people the lead may be about, from the contacts
    addon's duplicate detection over the whole base: exact matches on the
    lead's e-mail and phone (`find_exact`), similar company names sharing its
    e-mail domain (`find_likely`), similar people in a matched company. A
    contact the user may not read comes with its name and owner only
    (`visible` False): the user asks its owner, and cannot link to it.

`convert(session, lead, *, company_id=None, create_company=False,
person_id=None, create_person=False) -> Lead`
    In the caller's transaction: links the chosen company/person (the user
    must be able to read them) or creates them with the contacts models, so
    the contacts rules apply (e-mail/phone normalisation; with the duplicate
    policy "block" an exact match refuses the creation), then sets type
    opportunity and converted_at, audits `convert` and puts the opportunity on
    the contacts' timelines. Same row: activities and history stay. Raises
    ConversionError (field, message) for the user, AccessDenied for the rules.

The lead's e-mail and phone go to the person when the lead names one, else
to the company.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import has_request_context, url_for
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from addons.contacts.models import Company, ContactEmail, ContactPhone, Person
from addons.contacts.rules.field_error import ContactFieldError
from addons.contacts.services import timeline
from addons.contacts.services.duplicates.check import ContactKeys, describe
from addons.contacts.services.duplicates.detection import (
    COMPANY, PERSON, DuplicateMatch, email_domain, find_exact, find_likely)
from addons.contacts.services.duplicates.policy import BLOCK, current_policy
from core.security.actor import current_actor
from core.security.audit import record_event
from core.security.record_rules import AccessDenied, may_write

from ...models import Lead
from ...models.lead import LEAD, OPEN, OPPORTUNITY
from .status_words import status_word

TIMELINE_KIND = "opportunity"
TIMELINE_SOURCE = "sales.lead"  # the timeline entry of a converted lead
timeline.declare_kind(TIMELINE_KIND, _l("Opportunity"), "fa-star")


class ConversionError(ValueError):
    """A conversion that cannot be done as asked; `field` names the input."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass
class Candidates:
    companies: list[DuplicateMatch] = field(default_factory=list)
    people: list[DuplicateMatch] = field(default_factory=list)


def _keys(lead: Lead) -> ContactKeys:
    keys = ContactKeys()
    keys.add("email", lead.email)
    keys.add("phone", lead.phone)
    return keys


def _unique(matches: list[DuplicateMatch]) -> list[DuplicateMatch]:
    """One entry per contact, the first (strongest) reason kept."""
    seen, kept = set(), []
    for m in matches:
        if m.contact_id not in seen:
            seen.add(m.contact_id)
            kept.append(m)
    return kept


def candidates(session: Session, lead: Lead) -> Candidates:
    keys = _keys(lead)
    domains = {email_domain(e) for e in keys.emails}
    companies = find_exact(session, COMPANY, emails=keys.emails, phones=keys.phones)
    if lead.company_name:
        companies += find_likely(session, COMPANY, lead.company_name, email_domains=domains)
    companies = _unique(companies)
    people = find_exact(session, PERSON, emails=keys.emails, phones=keys.phones)
    if lead.contact_name:
        for company in companies[:3]:  # the likeliest companies' people
            people += find_likely(session, PERSON, lead.contact_name,
                                  company_id=company.contact_id)
        people += find_likely(session, PERSON, lead.contact_name, email_domains=domains)
    return Candidates(companies, _unique(people))


def _readable(session: Session, model, pk, field_name: str):
    # an ORM select: the record rules decide; get() may skip them (identity map)
    found = None
    if isinstance(pk, int) and not isinstance(pk, bool):
        found = session.scalars(select(model).where(model.id == pk)).first()
    if found is None:
        raise ConversionError(field_name, gettext(
            "no such company #%(id)s, or you may not see it", id=pk) if model is Company else
            gettext("no such person #%(id)s, or you may not see it", id=pk))
    return found


def _check_policy(session: Session, kind: str, keys: ContactKeys, field_name: str) -> None:
    if not (keys.emails or keys.phones) or current_policy(session) != BLOCK:
        return
    matches = find_exact(session, kind, emails=keys.emails, phones=keys.phones)
    if matches:
        listed = "; ".join(dict.fromkeys(describe(m) for m in matches))
        raise ConversionError(field_name, gettext(
            "already used by another contact (%(contacts)s); link to it instead "
            "(duplicate policy: block)", contacts=listed))


def _channels(lead: Lead):
    try:
        emails = [ContactEmail(kind="work", email=lead.email)] if lead.email else []
        phones = [ContactPhone(kind="work", number=lead.phone)] if lead.phone else []
    except ContactFieldError as exc:  # the contacts rules refuse the lead's value
        raise ConversionError("email" if exc.field == "emails" else "phone",
                              exc.message) from None
    return emails, phones


def _new_contact(session: Session, lead: Lead, model, name: str | None, with_channels: bool,
                 field_name: str, **extra):
    if not (name or "").strip():
        raise ConversionError(field_name, gettext(
            "the lead has no company name to create one from") if model is Company else gettext(
            "the lead has no person name to create one from"))
    kind = COMPANY if model is Company else PERSON
    contact = model(name=name.strip(), owner_id=lead.owner_id or current_actor().user_id,
                    team_id=lead.team_id, source=lead.source, **extra)
    if with_channels:
        _check_policy(session, kind, _keys(lead), field_name)
        contact.emails, contact.phones = _channels(lead)
    session.add(contact)
    return contact


def convert(session: Session, lead: Lead, *, company_id: int | None = None,
            create_company: bool = False, person_id: int | None = None,
            create_person: bool = False) -> Lead:
    if not may_write(session, lead):
        raise AccessDenied(gettext("%(name)s: you may not change this lead", name=lead.name))
    if lead.type != LEAD:
        raise ConversionError("type", gettext("%(name)s is already an opportunity",
                                              name=lead.name))
    if lead.status != OPEN:
        raise ConversionError("status", gettext("%(name)s is %(status)s: restore it first",
                                                name=lead.name, status=status_word(lead.status)))
    if company_id is not None and create_company:
        raise ConversionError("company_id", gettext("link a company or create one, not both"))
    if person_id is not None and create_person:
        raise ConversionError("person_id", gettext("link a person or create one, not both"))
    person_gets_channels = bool(create_person)

    company = None
    if company_id is not None:
        company = _readable(session, Company, company_id, "company_id")
    elif create_company:
        company = _new_contact(session, lead, Company, lead.company_name,
                               not person_gets_channels, "create_company")
    else:
        company = lead.company  # picked on the lead's form already, if at all
    person = None
    if person_id is not None:
        person = _readable(session, Person, person_id, "person_id")
    elif create_person:
        person = _new_contact(session, lead, Person, lead.contact_name, True, "create_person",
                              company=company)
    else:
        person = lead.person
    if company is None and person is None:
        raise ConversionError("company_id", gettext(
            "choose a customer: link a company or person, or create one"))
    if company is None and person.company is not None:
        company = person.company  # the person's employer is the customer

    lead.company, lead.person = company, person
    lead.type = OPPORTUNITY
    lead.converted_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    session.flush()
    record_event(session, "convert", "Lead", lead.id, {
        "company": {"id": company.id, "created": bool(create_company)} if company else None,
        "person": {"id": person.id, "created": bool(create_person)} if person else None})
    url = (url_for("OpportunityView.show", pk=lead.id) if has_request_context() else None)
    for contact in (company, person):
        if contact is not None:
            timeline.attach(session, contact, TIMELINE_KIND, f"Opportunity: {lead.name}",
                            body=lead.description, author_id=current_actor().user_id,
                            source=(TIMELINE_SOURCE, lead.id), url=url)
    return lead
