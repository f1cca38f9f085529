"""The sweeper: nothing committed is ever left behind.

- a running job whose lease expired (its worker was killed or hung) goes back
  to `queued` and is sent again: we do not wait for the Redis broker's own
  recovery, which can take many minutes (FIELD_NOTES);
- a pending job older than a few seconds was committed but never sent;
- a queued job still not started well after it was due lost its message.
Sending twice is harmless: only one claim succeeds. Jobs waiting behind an
earlier job with the same serial key are left alone: the end of that job
sends the next one (runtime.dispatch_next), and re-sending a whole backlog
of waiting jobs every few seconds would bury the workers in useless claims.
"""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from .models import (CANCELLED, DONE, PENDING, QUEUED, RUNNING, WAITING_STATES, SyncJob,
                     utcnow)

log = logging.getLogger(__name__)
BATCH = 1000
PENDING_GRACE = dt.timedelta(seconds=5)
LEASE_EXPIRED = "the worker stopped during an attempt (lease expired); sent again"


def sweep(session: Session, runtime) -> dict[str, int]:
    now = utcnow()
    resend_after = dt.timedelta(seconds=runtime.settings.hub_resend_after_seconds)
    expired = session.scalars(select(SyncJob.id).where(
        SyncJob.state == RUNNING, SyncJob.lease_expires_at < now).limit(BATCH)).all()
    for job_id in expired:
        session.execute(update(SyncJob).where(
            SyncJob.id == job_id, SyncJob.state == RUNNING, SyncJob.lease_expires_at < now)
            .values(state=QUEUED, next_attempt_at=now, lease_token=None, lease_expires_at=None,
                    last_error=LEASE_EXPIRED)
            .execution_options(synchronize_session=False))
    earlier = aliased(SyncJob)
    unsent = session.scalars(select(SyncJob.id).where(or_(
        (SyncJob.state == PENDING) & (SyncJob.created_at < now - PENDING_GRACE),
        (SyncJob.state == QUEUED) & (SyncJob.next_attempt_at.is_(None)
                                     | (SyncJob.next_attempt_at < now - resend_after))
        & (SyncJob.sent_at.is_(None) | (SyncJob.sent_at < now - resend_after)),
    ), ~exists().where(  # only the head of each serial chain: the others are sent
        earlier.record_key == SyncJob.record_key,  # when the job before them ends
        earlier.id < SyncJob.id, earlier.state.in_(WAITING_STATES)),
    ).order_by(SyncJob.id).limit(BATCH)).all()
    to_send = [*expired, *unsent]
    if to_send:
        session.execute(update(SyncJob).where(SyncJob.id.in_(to_send), SyncJob.state.in_(
            (PENDING, QUEUED))).values(state=QUEUED, sent_at=now)
            .execution_options(synchronize_session=False))
    session.commit()
    for job_id in to_send:
        runtime.send(job_id)
    if to_send:
        log.info("hub sweeper: %d leases expired, %d jobs re-sent", len(expired), len(unsent))
    return {"expired": len(expired), "resent": len(unsent)}


def clean_up(session: Session, keep_days: int) -> int:
    """Delete done and cancelled jobs finished more than `keep_days` ago
    (failed jobs stay until someone retries or cancels them)."""
    cutoff = utcnow() - dt.timedelta(days=keep_days)
    deleted = session.execute(delete(SyncJob).where(
        SyncJob.state.in_((DONE, CANCELLED)), SyncJob.finished_at < cutoff)
        .execution_options(synchronize_session=False)).rowcount
    session.commit()
    return deleted
