"""The desk's tile on the start page (core/home_tiles.py): the user's open
tickets, how many are past a target, the most urgent few (nearest
resolution deadline first). Read through the session, so record rules apply;
a user without the tickets screen gets no tile."""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext
from sqlalchemy import func, nulls_last, select

from core.db import db
from core.home_tiles import Figure, Line, Tile
from core.i18n import shown_datetime
from core.security.actor import current_actor

from ..models import Ticket

SHOWN = 5


def my_tickets() -> Tile | None:
    if not current_app.appbuilder.sm.has_access("can_list", "DeskTicketView"):
        return None
    mine = (Ticket.owner_id == current_actor().user_id, Ticket.solved_at.is_(None),
            Ticket.merged_into_id.is_(None))
    count = db.session.scalar(select(func.count(Ticket.id)).where(*mine))
    late = db.session.scalar(select(func.count(Ticket.id)).where(
        *mine, Ticket.first_response_breached | Ticket.resolution_breached))
    first = db.session.scalars(select(Ticket).where(*mine)
                               .order_by(nulls_last(Ticket.resolution_due), Ticket.id)
                               .limit(SHOWN))
    return Tile(gettext("My tickets"), url_for("DeskTicketView.list"),
                figures=[Figure(gettext("Open"), count),
                         Figure(gettext("Past a target"), late, alert=late > 0)],
                lines=[Line(f"{t.number} {t.subject}", url_for("DeskTicketView.show", pk=t.id),
                            shown_datetime(t.resolution_due) if t.resolution_due else "")
                       for t in first],
                empty=gettext("No open tickets."))
