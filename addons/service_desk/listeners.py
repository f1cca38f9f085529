"""service_desk's session listeners, all registered here, one line each
saying what it enforces (the addon's register() calls `register()`)."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from addons.contacts.services import timeline

from .models import Ticket
from .services.tickets.opening import SOURCE


def register() -> None:
    """Install each listener once (idempotent)."""
    # a deleted ticket's timeline entries stay as history, no longer linking to it
    _listen("before_flush", detach_deleted_tickets)


def detach_deleted_tickets(session: Session, _flush_context, _instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, Ticket) and obj.id is not None:
            timeline.detach(session, source=(SOURCE, obj.id))


def _listen(identifier: str, listener, **options) -> None:
    if not event.contains(Session, identifier, listener):
        event.listen(Session, identifier, listener, **options)
