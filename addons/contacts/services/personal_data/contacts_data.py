"""Contacts' own provider: the person's record, e-mails, phones, tags, custom
fields, timeline and external ids.

Erasure keeps the person's row (orders and invoices that finance keeps point
at it) under a placeholder name, inactive, with every identifying field
emptied; the child rows that only describe the person are deleted.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.addons.model_extension import active_fields

from ...models import ContactExternalId, CustomValue, TimelineEntry
from ..custom_fields.values import values_of
from .provider import ANONYMISED, DELETED, ERASED_TEXT, Erased, Found, Provider, Subject
from .rows import plain, row_of

PERSON_FIELDS = ("id", "name", "job_title", "company", "street", "city", "province",
                 "postal_code", "country_code", "website", "industry", "source", "notes",
                 "tier", "owner", "team", "active")
# emptied on erasure; country, industry, tier, owner and team describe no one
IDENTIFYING = ("job_title", "street", "city", "province", "postal_code", "website", "source",
               "notes")
# of those, the values that stand for this person wherever else they appear
# (the audit log forgets them); "上海" or "采购经理" do not
DISTINCT = ("street", "website", "notes")
LABELS = {"person": ("个人资料", "person"), "emails": ("电子邮箱", "e-mails"),
          "phones": ("电话", "phones"), "tags": ("标签", "tags"),
          "custom_fields": ("自定义字段", "custom fields"), "timeline": ("时间线", "timeline"),
          "external_ids": ("外部系统编号", "external ids")}
TIMELINE_FIELDS = ("id", "kind", "subject", "body", "occurred_at", "author", "source_model",
                   "source_id")


def placeholder_name(person_id: int) -> str:
    return f"{ERASED_TEXT} #{person_id}"


def _timeline(session: Session, person_id: int):
    return session.scalars(select(TimelineEntry).where(TimelineEntry.person_id == person_id)
                           .order_by(TimelineEntry.occurred_at, TimelineEntry.id)).all()


def _external_ids(session: Session, person_id: int):
    return session.scalars(select(ContactExternalId).where(
        ContactExternalId.kind == "person", ContactExternalId.contact_id == person_id)).all()


def export(session: Session, subject: Subject) -> Found:
    person = subject.person
    record = row_of(person, PERSON_FIELDS)
    record.update({f.name: plain(getattr(person, f.name)) for f in active_fields(type(person))})
    return Found(sections={
        "person": [record],
        "emails": [row_of(e, ("kind", "email")) for e in person.emails],
        "phones": [row_of(p, ("kind", "number", "e164", "extension")) for p in person.phones],
        "tags": [{"name": t.name} for t in person.tags],
        "custom_fields": [{"field": key, "value": plain(value)}
                          for key, value in values_of(session, person).items()],
        "timeline": [row_of(e, TIMELINE_FIELDS) for e in _timeline(session, person.id)],
        "external_ids": [row_of(x, ("system", "external_id"))
                         for x in _external_ids(session, person.id)],
    }, labels=LABELS)


def erase(session: Session, subject: Subject) -> Erased:
    person, erased = subject.person, Erased(identifiers=subject.identifiers)
    erased.identifiers.update(v for v in (getattr(person, n) for n in DISTINCT) if v)
    for name in IDENTIFYING:
        setattr(person, name, None)
    person.name = placeholder_name(person.id)
    person.active = False
    erased.add("person", ANONYMISED, 1)
    for what, rows in (("emails", list(person.emails)), ("phones", list(person.phones))):
        for row in rows:
            session.delete(row)
        erased.add(what, DELETED, len(rows))
    erased.add("tags", DELETED, len(person.tags))
    person.tags.clear()
    customs = session.scalars(select(CustomValue).where(CustomValue.person_id == person.id)).all()
    for rows, what in ((customs, "custom_fields"), (_timeline(session, person.id), "timeline"),
                       (_external_ids(session, person.id), "external_ids")):
        for row in rows:
            session.delete(row)
        erased.add(what, DELETED, len(rows))
    session.flush()
    return erased


PROVIDER = Provider("contacts", export, erase)
