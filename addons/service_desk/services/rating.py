"""Satisfaction ratings: the link put in the solved mail (the mail itself
comes with connectors/mail) and the rating it records, once per ticket, with
the ticket's assignee and team at that moment (the dashboard's figures).
The customer has no login: the signed token is the permission, so the
ticket is read past the record rules and the rating written with a Core
INSERT (as sales' assignment writes owners), audited as a `rate` event."""
from __future__ import annotations

from datetime import datetime

from flask import current_app, url_for
from flask_babel import gettext
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.security.audit import record_event

from ..models import Rating, Ticket
from ..rules.rating_token import make_token, read_token

ALL_ROWS = {"skip_record_rules": True}


class RatingError(ValueError):
    pass


def rating_link(ticket: Ticket) -> str:
    token = make_token(current_app.config["SECRET_KEY"], ticket.id)
    return url_for("RatingPage.rate", token=token, _external=True)


def ticket_of(session: Session, token: str) -> Ticket | None:
    ticket_id = read_token(current_app.config["SECRET_KEY"], token)
    if ticket_id is None:
        return None
    return session.get(Ticket, ticket_id, execution_options=ALL_ROWS)


def already_rated(session: Session, ticket: Ticket) -> bool:
    return session.scalar(select(Rating.id).where(Rating.ticket_id == ticket.id),
                          execution_options=ALL_ROWS) is not None


def record(session: Session, ticket: Ticket, score: int, comment: str | None) -> None:
    """The caller commits. RatingError when not solved, rated or out of range."""
    if ticket.solved_at is None:
        raise RatingError(gettext("the ticket is not solved"))
    if score not in range(1, 6):
        raise RatingError(gettext("a score from 1 to 5"))
    if already_rated(session, ticket):
        raise RatingError(gettext("the ticket was rated already"))
    try:
        with session.begin_nested():
            session.execute(insert(Rating.__table__).values(
                ticket_id=ticket.id, score=score, comment=(comment or "").strip() or None,
                agent_id=ticket.owner_id, team_id=ticket.team_id, created_at=datetime.utcnow()))
    except IntegrityError:  # a second click at the same moment
        raise RatingError(gettext("the ticket was rated already")) from None
    record_event(session, "rate", "Ticket", ticket.id, {"score": score})
