"""Social leads' part of a person's personal data (contacts' extension point):
their social identities (WeChat openid, WeCom external user id...), the
touches of their leads, the consents given with their e-mail or phone, and
the raw events the platforms and web forms sent that name them.

Erasure deletes the identities; keeps each consent as the proof it was given
(text, language, time) without the e-mail, phone and IP address; keeps the
touches (the source report) without the platform's id; overwrites the raw
events. A later message from the same openid is a new contact: nothing is
kept to recognise the person by.
"""
from __future__ import annotations

import json

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from addons.contacts.services import timeline
from addons.contacts.services.personal_data.provider import (ANONYMISED, DELETED, ERASED_TEXT,
                                                             Erased, Found, Provider, Subject)
from addons.contacts.services.personal_data.rows import row_of
from addons.sales.models import Lead
from addons.sales.services.personal_data import person_leads
from connectors import hub

from ..channels import CHANNELS
from ..models import Consent, LeadTouch, SocialIdentity
from .intake import TIMELINE_SOURCE
from .web_form.processing import WEB_FORM_INBOUND

SOURCES = [channel.INBOUND.source for channel in CHANNELS] + [WEB_FORM_INBOUND.source]
CONSENT_FIELDS = ("submission_id", "form", "text", "language", "given_at", "address", "email",
                  "phone")
TOUCH_FIELDS = ("lead_id", "external_id", "touched_at", "channel", "campaign", "form",
                "qr_scene", "utm_source", "utm_medium", "utm_campaign")
LABELS = {"identities": ("社交账号", "social identities"), "consents": ("同意记录", "consents"),
          "touches": ("线索来源记录", "lead touches"), "events": ("平台原始消息", "raw events")}


def _lead_ids(session: Session, subject: Subject) -> list[int]:
    return list(session.scalars(select(Lead.id).where(person_leads(subject))))


def _identities(session: Session, subject: Subject, lead_ids: list[int]):
    return session.scalars(select(SocialIdentity).where(or_(
        SocialIdentity.person_id == subject.person.id, SocialIdentity.lead_id.in_(lead_ids)))
        .order_by(SocialIdentity.id)).all()


def _consents(session: Session, subject: Subject):
    found = [func.lower(Consent.email).in_(subject.emails), Consent.phone.in_(subject.phones)]
    return session.scalars(select(Consent).where(or_(*found)).order_by(Consent.id)).all()


def _touches(session: Session, lead_ids: list[int]):
    return session.scalars(select(LeadTouch).where(LeadTouch.lead_id.in_(lead_ids))
                           .order_by(LeadTouch.id)).all()


def _events(session: Session, subject: Subject, identities) -> list[tuple[int, str, str]]:
    needles = [*subject.emails, *subject.phones, *(i.value for i in identities)]
    return hub.events_mentioning(session, SOURCES, needles)


def export(session: Session, subject: Subject) -> Found:
    lead_ids = _lead_ids(session, subject)
    identities = _identities(session, subject, lead_ids)
    events = _events(session, subject, identities)
    found = Found(labels=LABELS, sections={
        "identities": [row_of(i, ("kind", "value", "lead_id", "created_at")) for i in identities],
        "consents": [row_of(c, CONSENT_FIELDS) for c in _consents(session, subject)],
        "touches": [row_of(t, TOUCH_FIELDS) for t in _touches(session, lead_ids)],
        "events": [{"source": source, "external_id": external_id,
                    "file": f"events/{event_id}.txt"} for event_id, source, external_id in events],
    })
    for event_id, _source, _external_id in events:
        found.files[f"events/{event_id}.txt"] = hub.stored_payload(session, event_id).encode()
    return found


def erase(session: Session, subject: Subject) -> Erased:
    erased = Erased()
    lead_ids = _lead_ids(session, subject)
    identities = _identities(session, subject, lead_ids)
    events = _events(session, subject, identities)
    for identity in identities:
        erased.identifiers.add(identity.value)
        session.delete(identity)
    erased.add("identities", DELETED, len(identities))
    consents = _consents(session, subject)
    for consent in consents:
        erased.identifiers.update(v for v in (consent.email, consent.phone) if v)
        consent.email = consent.phone = None
        consent.address = ERASED_TEXT
    erased.add("consents", ANONYMISED, len(consents))
    touches = _touches(session, lead_ids)
    for touch in touches:
        erased.identifiers.add(touch.external_id)
        touch.external_id = f"{ERASED_TEXT} #{touch.id}"  # unique per channel
    erased.add("touches", ANONYMISED, len(touches))
    erased.add("timeline entries", ANONYMISED, timeline.blank(
        session, [(TIMELINE_SOURCE, t.id) for t in touches], ERASED_TEXT))
    for event_id, _source, _external_id in events:
        hub.erase_payload(session, event_id, json.dumps({"erased": True}))
    erased.add("events", ANONYMISED, len(events))
    return erased


PROVIDER = Provider("social_leads", export, erase)
