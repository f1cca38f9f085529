"""Panels other addons' pages show: where a lead came from (its lead,
opportunity and order pages) and a person's platform identities."""
from __future__ import annotations

from sqlalchemy import select

from addons.sales.models.lead import Lead
from core.db import db

from ..models import ATTRIBUTION_FIELDS, LABELS, LeadTouch, SocialIdentity
from ..services.channel_names import label_of

TOUCHES_SHOWN = 20


def _rows(values: dict) -> list[tuple]:
    rows = [(LABELS[name], label_of(values[name]) if name == "channel" else values[name])
            for name in ATTRIBUTION_FIELDS if values.get(name)]
    return rows


def lead_attribution(view, lead) -> dict | None:
    """The lead's first-touch attribution and every touch since."""
    values = {name: getattr(lead, name) for name in ATTRIBUTION_FIELDS}
    touches = db.session.scalars(select(LeadTouch).where(LeadTouch.lead_id == lead.id)
                                 .order_by(LeadTouch.touched_at.desc(), LeadTouch.id.desc())
                                 .limit(TOUCHES_SHOWN)).all()
    if not any(values.values()) and not touches:
        return None
    return {"rows": _rows(values), "campaign": lead.campaign, "touches": touches,
            "label_of": label_of}


def order_attribution(view, order) -> dict | None:
    """The attribution of the opportunity the order came from, read through
    `lead_id` (the order's reader may not be allowed the lead's page itself:
    where it came from is shown, nothing else of it)."""
    if order.lead_id is None:
        return None
    columns = [getattr(Lead, name) for name in ATTRIBUTION_FIELDS]
    row = db.session.execute(select(Lead.campaign, *columns).where(Lead.id == order.lead_id),
                             execution_options={"skip_record_rules": True}).first()
    if row is None or not any(row[1:]):
        return None
    values = dict(zip(ATTRIBUTION_FIELDS, row[1:]))
    return {"rows": _rows(values), "campaign": row[0], "touches": [], "label_of": label_of}


def person_identities(view, person) -> dict | None:
    """The WeChat openid/unionid and WeCom external ids kept on the person."""
    rows = db.session.scalars(select(SocialIdentity).where(SocialIdentity.person_id == person.id)
                              .order_by(SocialIdentity.kind, SocialIdentity.id)).all()
    return {"identities": rows} if rows else None
