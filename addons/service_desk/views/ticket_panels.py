"""The panels the desk puts in screen slots: a ticket's thread with the reply
form (its own page), and a customer's tickets (contacts' company and person
pages). Rows are read through the record rules; a reader without the tickets
screen gets no panel."""
from __future__ import annotations

from flask import url_for
from flask_babel import get_locale
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from core.db import db

from ..models import CannedReply, KbArticle, Ticket, TicketMessage
from ..services.rating import rating_link
from ..services.tickets.stages import flow_of
from .labels import MESSAGE_LABELS, PRIORITY_LABELS

CUSTOMER_TICKETS = 20  # the newest on a contact's page


def _may(view, action: str) -> bool:
    return view.appbuilder.sm.has_access(f"can_{action}", "DeskTicketView")


def ticket_thread(view, ticket) -> dict:
    messages = db.session.scalars(
        select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)
        .options(selectinload(TicketMessage.attachments), selectinload(TicketMessage.author))
        .order_by(TicketMessage.id)).all()
    may_reply = _may(view, "reply") and ticket.merged_into_id is None
    language = getattr(get_locale(), "language", "en")
    canned = db.session.scalars(
        select(CannedReply).where(or_(CannedReply.team_id.is_(None),
                                      CannedReply.team_id == ticket.team_id))
        .order_by(CannedReply.language != language, CannedReply.name)).all() if may_reply else []
    articles = db.session.scalars(
        select(KbArticle).where(KbArticle.published)
        .order_by(KbArticle.language != language, KbArticle.title).limit(50)).all() \
        if may_reply else []
    return {"ticket": ticket, "messages": messages, "kinds": MESSAGE_LABELS,
            "may_reply": may_reply, "stages": flow_of(db.session, ticket.team_id),
            "canned": canned, "articles": articles,
            "rating_url": rating_link(ticket) if ticket.solved_at and may_reply else None,
            "reply_url": url_for("DeskTicketView.reply", pk=ticket.id),
            "move_url": url_for("DeskTicketView.move", pk=ticket.id),
            "merge_url": url_for("DeskTicketView.merge", pk=ticket.id)}


def customer_tickets(view, contact) -> dict | None:
    if not view.appbuilder.sm.has_access("can_list", "DeskTicketView"):
        return None
    column = Ticket.company_id if type(contact).__name__ == "Company" else Ticket.person_id
    rows = db.session.scalars(select(Ticket).where(column == contact.id)
                              .options(selectinload(Ticket.stage), selectinload(Ticket.owner))
                              .order_by(Ticket.id.desc()).limit(CUSTOMER_TICKETS)).all()
    return {"tickets": rows, "priorities": PRIORITY_LABELS}
