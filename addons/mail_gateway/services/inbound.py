"""Processing a stored mail (`MAIL_INBOUND`, the hub job of each event the
poll stored): guards first, then the routes (routes.py), one row saying
what became of it (IncomingMailRecord).

The guards, in order, each ending the mail's way:
- a bounce (a delivery status report) is matched to the outgoing mail it
  bounces by its VERP token and marks it `bounced` with the remote's words;
  it is never routed;
- a mail over the size limit was stored as its header only: not routed;
- a sender over the hourly rate limit: not routed (a loop, a flood);
- a robot's mail (auto-submitted, bulk, from mailer-daemon) never reaches a
  route that answers automatically.
Then: a reply to one of our mails goes to its record's route; a subject tag
to the route that knows it; the first route whose alias or predicate takes
it.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors import hub
from connectors.mail.incoming import IncomingMail
from connectors.mail.parsing import parse
from core.user_time import utc_now
from connectors.mail.subject_tags import tag_in

from ..models.incoming_mail import (AUTO, BOUNCE, ROUTED, THROTTLED, TOO_LARGE, UNROUTED,
                                    IncomingMailRecord)
from ..models.outgoing_mail import BOUNCED, OutgoingMailRecord
from ..settings import configured
from .routes import Delivery, active_routes
from .stored_mail import raw_of


def process(session: Session, event) -> str:
    stored = event.json()
    mail = parse(raw_of(stored))
    row = IncomingMailRecord(event_id=event.id, backend_id=stored["account"],
                             folder=stored["folder"], message_id=mail.message_id[:255],
                             sender=mail.sender[:320], subject=mail.subject[:998],
                             size=stored["size"], state=UNROUTED)
    session.add(row)
    session.flush()
    row.state, row.routed_to = _way(session, mail, row, stored)
    return f"{mail.sender}: {row.state}" + (f" ({row.routed_to})" if row.routed_to else "")


def _way(session: Session, mail: IncomingMail, row: IncomingMailRecord,
         stored: dict) -> tuple[str, str | None]:
    if mail.is_bounce:
        return BOUNCE, _bounced(session, mail, row)
    settings = configured()
    if not stored["complete"]:
        return TOO_LARGE, f"{stored['size']} bytes, over {settings.mail_max_bytes}"
    if mail.sender and _recent_from(session, mail.sender, row.id) >= settings.mail_sender_per_hour:
        return THROTTLED, f"over {settings.mail_sender_per_hour} mails an hour from {mail.sender}"
    routes = active_routes(robot=mail.auto_submitted)
    delivery = Delivery(mail, row.backend_id, row.id)
    answered = _answered(session, mail)
    if answered is not None:
        row.outgoing_id, row.record_model, row.record_id = answered
        route = next((r for r in routes if r.model == row.record_model), None)
        if route is not None:
            return ROUTED, _handled(session, route, delivery, row.record_model, row.record_id)
    tag = tag_in(mail.subject)
    if tag:
        for route in routes:
            record_id = route.record_of_tag(session, tag) if route.record_of_tag else None
            if record_id is not None:
                row.record_model, row.record_id = route.model, record_id
                return ROUTED, _handled(session, route, delivery, route.model, record_id)
    route = next((r for r in routes if r.takes_address(mail)), None)
    if route is not None:
        return ROUTED, _handled(session, route, delivery, None, None)
    return (AUTO if mail.auto_submitted else UNROUTED), None


def _handled(session, route, delivery: Delivery, model: str | None, record_id: int | None) -> str:
    said = route.handle(session, Delivery(delivery.mail, delivery.backend_id,
                                          delivery.incoming_id, model, record_id))
    return said or (f"{model} {record_id}" if model else route.current_alias() or "routed")


def _bounced(session: Session, mail: IncomingMail, row: IncomingMailRecord) -> str:
    bounce = mail.bounce
    ours = session.scalars(select(OutgoingMailRecord).where(
        OutgoingMailRecord.message_id == bounce.message_id)).first() if bounce.message_id else None
    if ours is None:
        return f"a bounce of no mail of ours ({bounce.recipient} {bounce.status})"
    row.outgoing_id, row.record_model, row.record_id = ours.id, ours.record_model, ours.record_id
    words = f"{bounce.recipient}: {bounce.status} {bounce.diagnostic}".strip()
    if bounce.failed:
        ours.state, ours.state_text = BOUNCED, words
    return f"mail #{ours.id} {bounce.action}: {words}"


def _answered(session: Session, mail: IncomingMail) -> tuple[int, str, int] | None:
    """(our mail's id, its record's model and id) for the nearest of ours
    this mail answers: In-Reply-To, then References from the newest."""
    for message_id in (mail.in_reply_to, *reversed(mail.references)):
        if not message_id:
            continue
        found = session.execute(select(OutgoingMailRecord.id, OutgoingMailRecord.record_model,
                                       OutgoingMailRecord.record_id)
                                .where(OutgoingMailRecord.message_id == message_id)).first()
        if found is not None:
            return tuple(found)
    return None


def _recent_from(session: Session, sender: str, this_id: int) -> int:
    since = utc_now() - dt.timedelta(hours=1)
    return session.scalar(select(func.count()).select_from(IncomingMailRecord).where(
        IncomingMailRecord.sender == sender, IncomingMailRecord.received_at >= since,
        IncomingMailRecord.id != this_id))


MAIL_INBOUND = hub.Inbound(source="mail", process=process)
