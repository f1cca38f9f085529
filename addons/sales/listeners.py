"""Sales' session listeners, all registered here: the rules that hold on every
flush, whatever path writes (screens, REST, CLI, imports, services, scripts).
The addon's register() calls `register()`; no module registers a listener
when it is imported.

Listeners sit on the Session class, for the whole process, and the app
factory runs many times in one process (tests, workers): each is installed
once. On before_flush they run in the order below, after core's record rules,
except the assignment's SQLite write lock, inserted ahead of every listener.
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from .services.leads import lead_assignment, lead_scoring, stage_moves
from .services.orders import order_lock, order_numbering, order_totals
from .services.timeline_links import detach_deleted


def register() -> None:
    """Install each listener once (idempotent), in this order."""
    # a flush creating an unowned lead takes SQLite's write lock before any listener reads
    _listen("before_flush", lead_assignment.take_write_lock_first, insert=True)
    # a new lead gets its owner's team and the pipeline's first stage; a team change, the new one
    _listen("before_flush", stage_moves.place_new_leads)
    # a lead's score is its rules' points, recomputed when it or its activities change
    _listen("before_flush", lead_scoring.rescore_changed_leads)
    # a new order gets the next number of its year, without gaps or twins
    _listen("before_flush", order_numbering.number_new_orders)
    # a quotation's amounts follow its lines, tax and currency
    _listen("before_flush", order_totals.keep_totals_in_step)
    # a confirmed or cancelled order and its lines are not changed by any flush
    _listen("before_flush", order_lock.refuse_changes_to_locked_orders)
    # a deleted lead, order or activity leaves its timeline entries unlinked, never dangling
    _listen("before_flush", detach_deleted.detach_deleted_records)
    # a lead inserted without owner is assigned by the assignment rules, same transaction
    _listen("after_flush", lead_assignment.assign_new_leads)
    # ...and its owner, team and stage are read again, not the "none" loaded before
    _listen("after_flush_postexec", lead_assignment.reload_assigned_leads)


def _listen(identifier: str, listener, **options) -> None:
    if not event.contains(Session, identifier, listener):
        event.listen(Session, identifier, listener, **options)
