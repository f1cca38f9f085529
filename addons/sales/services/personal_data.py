"""Sales' part of a person's personal data (contacts' extension point): the
leads linked to them or carrying their e-mail or phone, the activities on
them or those leads, their quotations and orders.

Erasure: leads stay (the pipeline's figures) without the typed contact
details; activities are deleted; quotations lose their note; confirmed and
cancelled orders are kept as they are (accounting records), their customer
being the anonymised person.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from addons.contacts.services import timeline
from addons.contacts.services.personal_data.provider import (ANONYMISED, DELETED, ERASED_TEXT,
                                                             KEPT, Erased, Found, Provider,
                                                             Subject)
from addons.contacts.services.personal_data.rows import row_of

from ..models import Activity, Lead, SalesOrder
from ..models.sales_order import EDITABLE
from .activities.scheduling import TIMELINE_SOURCE as ACTIVITY_SOURCE
from .leads.lead_conversion import TIMELINE_SOURCE as LEAD_SOURCE

LEAD_FIELDS = ("id", "type", "name", "contact_name", "company_name", "email", "phone", "source",
               "campaign", "region", "country_code", "description", "status", "stage",
               "expected_revenue", "currency", "probability", "expected_close", "created_at",
               "closed_at", "lost_note", "owner")
LEAD_CONTACT_FIELDS = ("contact_name", "email", "phone", "description", "lost_note")
ACTIVITY_FIELDS = ("id", "kind", "summary", "note", "due_date", "due_time", "created_at",
                   "done_at", "done_note", "owner", "lead_id")
ORDER_FIELDS = ("number", "state", "order_date", "validity_date", "note", "currency",
                "amount_untaxed", "amount_tax", "amount_total", "confirmed_at", "cancelled_at")
LINE_FIELDS = ("product", "description", "quantity", "unit_price", "discount", "tax_rate",
               "amount_total")
LABELS = {"leads": ("线索与商机", "leads and opportunities"), "activities": ("活动", "activities"),
          "orders": ("报价单与订单", "quotations and orders")}
ORDERS_KEPT = _l("accounting records: confirmed and cancelled orders are kept with their totals "
                 "(PIPL art. 47, GDPR art. 17(3)(b)); their customer now reads as the erased "
                 "person")


def person_leads(subject: Subject):
    """The condition for a person's leads: linked to them, or typed with one of
    their e-mails or phones (social leads erase their part of the same leads)."""
    found = [Lead.person_id == subject.person.id]
    if subject.emails:
        found.append(func.lower(Lead.email).in_(subject.emails))
    if subject.phones:
        found.append(Lead.phone.in_(subject.phones))
    return or_(*found)


def _leads(session: Session, subject: Subject) -> list[Lead]:
    return session.scalars(select(Lead).where(person_leads(subject)).order_by(Lead.id)).all()


def _activities(session: Session, subject: Subject, lead_ids: list[int]) -> list[Activity]:
    return session.scalars(select(Activity).where(or_(
        Activity.person_id == subject.person.id, Activity.lead_id.in_(lead_ids)))
        .order_by(Activity.id)).all()


def _orders(session: Session, subject: Subject) -> list[SalesOrder]:
    return session.scalars(select(SalesOrder).where(SalesOrder.person_id == subject.person.id)
                           .order_by(SalesOrder.id)).all()


def export(session: Session, subject: Subject) -> Found:
    leads = _leads(session, subject)
    orders = [{**row_of(o, ORDER_FIELDS), "lines": [row_of(line, LINE_FIELDS) for line in o.lines]}
              for o in _orders(session, subject)]
    return Found(sections={
        "leads": [row_of(lead, LEAD_FIELDS) for lead in leads],
        "activities": [row_of(a, ACTIVITY_FIELDS)
                       for a in _activities(session, subject, [lead.id for lead in leads])],
        "orders": orders,
    }, labels=LABELS)


def erase(session: Session, subject: Subject) -> Erased:
    erased = Erased()
    leads = _leads(session, subject)
    activities = _activities(session, subject, [lead.id for lead in leads])
    for lead in leads:
        erased.identifiers.update(v for v in (lead.contact_name, lead.email, lead.phone) if v)
        for name in LEAD_CONTACT_FIELDS:
            setattr(lead, name, None)
        lead.name = f"{ERASED_TEXT} #{lead.id}"
    erased.add("leads", ANONYMISED, len(leads))
    entries = timeline.blank(session, [*((LEAD_SOURCE, lead.id) for lead in leads),
                                       *((ACTIVITY_SOURCE, a.id) for a in activities)],
                             ERASED_TEXT)  # before deleting: that unlinks the entries
    erased.add("timeline entries", ANONYMISED, entries)
    for activity in activities:
        session.delete(activity)
    erased.add("activities", DELETED, len(activities))
    orders = _orders(session, subject)
    quotations = [o for o in orders if o.state in EDITABLE]
    for order in quotations:
        order.note = None
    erased.add("quotations", ANONYMISED, len(quotations))
    erased.add("orders", KEPT, len(orders) - len(quotations), ORDERS_KEPT)
    return erased


PROVIDER = Provider("sales", export, erase)
