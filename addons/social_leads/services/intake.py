"""Intake: one `IncomingLead` from any channel into the pipeline.

`take_in(session, incoming) -> TakenIn(lead_id, created, summary)` is what the
channels' `hub.Inbound` process functions call, inside the hub's transaction
(it flushes, never commits). In order:

1. An event already taken in (same channel and external id) is not taken
   twice: the answer names its lead.
2. The e-mail and phone are normalised by contacts' rules; a value that does
   not pass is kept, as typed and with the reason, in the lead's description
   or the activity's note. No name, e-mail, phone or identity at all raises
   `PermanentError` (the hub fails the job with the reason; it can be retried
   from the dashboard once the mapping is fixed).
3. The person's keys are locked (PostgreSQL) so two workers taking in one
   person run one after the other (person_keys.py).
4. The lead is found: by an identity (social_leads_identity) whose lead is
   still open, then an open lead or opportunity with the same e-mail or phone;
   the contact by that identity or by contacts' exact duplicate detection.
5. Found: an activity "submitted again" on it (its owner's to-do; a lead
   nobody owns yet gets the note in its description), the new attribution in
   a touch. Not found: a lead (type lead, owner only when the channel names
   one, so sales' assignment and scoring listeners place it), linked to the
   matched person and company, attributed. A `touch_only` event never
   creates one: with no lead found nothing is written.
6. The identities are kept (unique kind and value: a collision with another
   worker is a `TransientError`, retried), and the person's timeline told.

Everything is written as the system actor, through the ORM: the audit log
records the lead and the activity like any other.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from addons.contacts.models import Person
from addons.contacts.services import timeline
from addons.contacts.services.duplicates.detection import PERSON, find_exact
from addons.sales.models.activity import TODO
from addons.sales.models.lead import LEAD, OPEN, Lead
from addons.sales.services.activities.scheduling import schedule
from connectors.errors import PermanentError, TransientError
from core.security.actor import SYSTEM, acting_as
from core.user_time import today

from ..models import ATTRIBUTION_FIELDS, LeadTouch, SocialIdentity
from .channel_names import name_of
from .incoming import IncomingLead
from .person_keys import PersonKeys, keys_of, lock_person

TIMELINE_KIND = "social_lead"
TIMELINE_SOURCE = "social_leads.touch"
MAX_NAME = 200


@dataclass(frozen=True)
class TakenIn:
    lead_id: int | None  # None: a touch-only event with no lead to touch
    created: bool
    summary: str  # what happened, in words (the hub job's result)


@dataclass
class _Found:
    lead: Lead | None = None
    person: Person | None = None


def take_in(session: Session, incoming: IncomingLead) -> TakenIn:
    """See the module docstring."""
    with acting_as(SYSTEM):
        channel = incoming.attribution.channel
        earlier = session.scalar(select(LeadTouch.lead_id).where(
            LeadTouch.channel == channel, LeadTouch.external_id == incoming.external_id))
        if earlier is not None:
            return TakenIn(earlier, False, f"{channel} {incoming.external_id}: already taken "
                                           f"in (lead #{earlier})")
        keys = keys_of(incoming)
        if not ((incoming.name or "").strip() or keys.email or keys.phone or keys.identities):
            why = "; ".join(keys.problems) or "no value at all"
            raise PermanentError(f"{name_of(channel)} {incoming.external_id}: nothing to reach "
                                 f"or identify the person by (no name, e-mail, phone or "
                                 f"platform id; {why})")
        lock_person(session, keys)
        found = _find(session, keys)
        if found.lead is None and incoming.touch_only:
            return TakenIn(None, False, f"{name_of(channel)} {incoming.external_id}: no lead "
                                        "of this person to add it to; nothing written")
        if found.lead is None:
            lead, created = _create_lead(session, incoming, keys, found.person), True
        else:
            lead, created = found.lead, False
            _touch_again(session, lead, incoming, keys)
        touch = _record_touch(session, lead, incoming, created)
        _keep_identities(session, keys, lead)
        person = found.person or (session.get(Person, lead.person_id) if lead.person_id else None)
        if person is not None:
            _tell_timeline(session, person, lead, touch, incoming, created)
        verb = "new lead" if created else "added to lead"
        return TakenIn(lead.id, created, f"{name_of(channel)} {incoming.external_id}: {verb} "
                                         f"#{lead.id} {lead.name}")


def _find(session: Session, keys: PersonKeys) -> _Found:
    found = _Found()
    if keys.identities:
        rows = session.execute(select(SocialIdentity.lead_id, SocialIdentity.person_id).where(
            or_(*[(SocialIdentity.kind == k) & (SocialIdentity.value == v)
                  for k, v in keys.identities]))).all()
        lead_ids = [r.lead_id for r in rows if r.lead_id is not None]
        if lead_ids:
            found.lead = session.scalars(select(Lead).where(
                Lead.id.in_(lead_ids), Lead.status == OPEN).order_by(Lead.id)).first()
        person_id = next((r.person_id for r in rows if r.person_id is not None), None)
        if person_id is not None:
            found.person = session.get(Person, person_id)
    if found.lead is None and (keys.email or keys.phone):
        same = []
        if keys.email:
            same.append(func.lower(Lead.email) == keys.email)
        if keys.phone:
            same.append(Lead.phone == keys.phone)
        found.lead = session.scalars(select(Lead).where(Lead.status == OPEN, or_(*same))
                                     .order_by(Lead.id)).first()
    if found.person is None and found.lead is not None and found.lead.person_id:
        found.person = session.get(Person, found.lead.person_id)
    if found.person is None and (keys.email or keys.phone):
        matches = find_exact(session, PERSON, emails=[keys.email] if keys.email else [],
                             phones=[keys.phone] if keys.phone else [])
        if matches:
            found.person = session.get(Person, matches[0].contact_id)
    return found


def _what_was_sent(incoming: IncomingLead, keys: PersonKeys) -> str:
    """The submission in words: the values, answers no field takes, problems."""
    lines = [(incoming.message or "").strip()]
    values = (("Name", incoming.name), ("Company", incoming.company),
              ("E-mail", incoming.email), ("Phone", incoming.phone))
    lines += [f"{label}: {value.strip()}" for label, value in values if (value or "").strip()]
    lines += [f"{key}: {value}" for key, value in sorted(incoming.extra.items())]
    lines += [f"Not kept as typed ({problem})" for problem in keys.problems]
    return "\n".join(line for line in lines if line)


def _attribution_values(incoming: IncomingLead) -> dict[str, str | None]:
    a = incoming.attribution
    return {name: (getattr(a, name) or None) for name in ATTRIBUTION_FIELDS}


def _create_lead(session: Session, incoming: IncomingLead, keys: PersonKeys,
                 person: Person | None) -> Lead:
    who = ((incoming.name or "").strip() or (incoming.company or "").strip()
           or keys.email or keys.phone or (person.name if person else "")
           or keys.identities[0][1])
    channel = incoming.attribution.channel
    lead = Lead(type=LEAD, name=f"{who} - {name_of(channel)}"[:MAX_NAME],
                contact_name=(incoming.name or "").strip() or None,
                company_name=(incoming.company or "").strip() or None,
                email=keys.email, phone=keys.phone, source=channel,
                campaign=incoming.attribution.campaign,
                country_code=(incoming.country_code or "").upper() or None,
                description=_what_was_sent(incoming, keys) or None,
                owner_id=incoming.owner_id,
                person_id=person.id if person else None,
                company_id=person.company_id if person else None,
                **_attribution_values(incoming))
    session.add(lead)
    try:
        session.flush()  # sales' listeners assign, place and score it here
    except IntegrityError as exc:
        raise TransientError(f"lead of {incoming.external_id}: written at the same time by "
                             f"another worker ({exc.orig})") from None
    return lead


def _touch_again(session: Session, lead: Lead, incoming: IncomingLead,
                 keys: PersonKeys) -> None:
    """An activity on the lead for its owner; a lead nobody owns yet keeps the
    note in its description (an activity needs someone to do it)."""
    channel = name_of(incoming.attribution.channel)
    summary = (f"{channel}: new message" if incoming.touch_only
               else f"{channel}: submitted the form again")
    note = _what_was_sent(incoming, keys)
    if lead.owner_id is not None:
        schedule(session, lead, kind=TODO, summary=summary, due_date=today(), note=note,
                 owner_id=lead.owner_id)
        return
    when = f"{incoming.received_at:%Y-%m-%d %H:%M} UTC"
    lead.description = "\n\n".join(p for p in (lead.description, f"{when} {summary}\n{note}")
                                    if p)


def _record_touch(session: Session, lead: Lead, incoming: IncomingLead,
                  created: bool) -> LeadTouch:
    touch = LeadTouch(lead_id=lead.id, created=created, external_id=incoming.external_id,
                      touched_at=incoming.received_at, campaign=incoming.attribution.campaign,
                      **_attribution_values(incoming))
    session.add(touch)
    session.flush()
    return touch


def _keep_identities(session: Session, keys: PersonKeys, lead: Lead) -> None:
    """Each identity names this lead and its person from now on."""
    for kind, value in keys.identities:
        row = session.scalar(select(SocialIdentity).where(SocialIdentity.kind == kind,
                                                          SocialIdentity.value == value))
        if row is None:
            row = SocialIdentity(kind=kind, value=value)
            session.add(row)
        row.lead_id = lead.id
        row.person_id = lead.person_id or row.person_id
    try:
        session.flush()
    except IntegrityError:
        # another worker kept the same id first (the lock covers PostgreSQL; this, the rest)
        raise TransientError("a platform id of this person was written at the same time by "
                             "another worker; trying again") from None


def _tell_timeline(session: Session, person: Person, lead: Lead, touch: LeadTouch,
                   incoming: IncomingLead, created: bool) -> None:
    channel = name_of(incoming.attribution.channel)
    subject = f"{channel}: new lead {lead.name}" if created else f"{channel}: {lead.name}"
    timeline.attach(session, person, TIMELINE_KIND, subject[:timeline.MAX_SUBJECT],
                    body=(incoming.message or "").strip() or None,
                    occurred_at=incoming.received_at.replace(tzinfo=dt.timezone.utc),
                    source=(TIMELINE_SOURCE, touch.id))
