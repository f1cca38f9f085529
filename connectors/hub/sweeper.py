"""The sweeper: nothing committed is ever left behind.

- a running job whose lease expired (its worker was killed or hung) goes back
  to `queued` and is sent again: we do not wait for the Redis broker's own
  recovery, which can take many minutes (FIELD_NOTES);
- a pending job older than a few seconds was committed but never sent;
- a queued job still not started well after it was due lost its message, if
  the workers took a job that was in line after it (or took nothing lately):
  a job merely waiting behind a backlog is not sent again (see `in_line`).
- a running job whose worker process on this host is gone is taken back at
  once (recovery.py), without waiting for its lease.
Sending twice is harmless: only one claim succeeds. Jobs waiting behind an
earlier job with the same serial key are left alone: the end of that job
sends the next one (runtime.dispatch_next), and re-sending a whole backlog
of waiting jobs every few seconds would bury the workers in useless claims.
Every job taken back or sent again is logged and counted (job_events).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import case, delete, exists, false, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from . import job_events
from .models import (CANCELLED, DONE, PENDING, QUEUED, RUNNING, WAITING_STATES, SyncJob,
                     utcnow)

BATCH = 1000
PENDING_GRACE = dt.timedelta(seconds=5)
LEASE_EXPIRED = "the worker stopped during an attempt (lease expired); sent again"


def chain_heads(stmt):
    """`stmt` narrowed to jobs with no earlier waiting job of their serial key
    (the others are sent when the job before them ends)."""
    earlier = aliased(SyncJob)
    return stmt.where(~exists().where(
        earlier.record_key == SyncJob.record_key, earlier.id < SyncJob.id,
        earlier.state.in_(WAITING_STATES))).order_by(SyncJob.id).limit(BATCH)


# where a job stands in the broker's queue: sent (or due, when sent with a delay)
_place = case((SyncJob.next_attempt_at > SyncJob.sent_at, SyncJob.next_attempt_at),
              else_=SyncJob.sent_at)


def in_line(session: Session, now: dt.datetime, window: dt.timedelta):
    """A condition true for queued jobs that are plausibly still waiting their
    turn: none later in line has been taken by a worker in `window`. The queue
    is FIFO, so a job passed over by the workers lost its message (a worker
    killed with it prefetched, a broker restart). Without this a backlog longer
    than `window` was sent again in full every sweep: the workers claimed
    duplicates and the log cried "lost" for every waiting job. Clocks of the
    processes that send may differ a little: a job thought passed over is sent
    twice, which is harmless (one claim wins)."""
    taken = session.scalar(select(func.max(_place)).where(
        (SyncJob.state == RUNNING) | (SyncJob.finished_at >= now - window)))
    if taken is None:  # nothing taken lately: the queue stalled, resend what is due
        return false()
    return _place >= taken


def sweep(session: Session, runtime) -> dict[str, int]:
    from .recovery import recover_dead_claims

    recovered = recover_dead_claims(session, runtime)
    now = utcnow()
    resend_after = dt.timedelta(seconds=runtime.hub_settings.hub_resend_after_seconds)
    expired = session.execute(select(SyncJob.id, SyncJob.lease_holder).where(
        SyncJob.state == RUNNING, SyncJob.lease_expires_at < now).limit(BATCH)).all()
    for job_id, holder in expired:
        session.execute(update(SyncJob).where(
            SyncJob.id == job_id, SyncJob.state == RUNNING, SyncJob.lease_expires_at < now)
            .values(state=QUEUED, next_attempt_at=now, lease_token=None, lease_expires_at=None,
                    lease_holder=None, last_error=LEASE_EXPIRED)
            .execution_options(synchronize_session=False))
        job_events.record(session, job_events.LEASE_EXPIRED, job_events.refs(session, [job_id]),
                          f"no word from its worker {holder or '?'} within the lease "
                          f"({runtime.hub_settings.hub_lease_seconds:.0f} s); sent again")
    expired = [job_id for job_id, _ in expired]
    unsent = session.execute(chain_heads(select(SyncJob.id, SyncJob.state).where(or_(
        (SyncJob.state == PENDING) & (SyncJob.created_at < now - PENDING_GRACE),
        (SyncJob.state == QUEUED) & (SyncJob.next_attempt_at.is_(None)
                                     | (SyncJob.next_attempt_at < now - resend_after))
        & (SyncJob.sent_at.is_(None) | ((SyncJob.sent_at < now - resend_after)
                                         & ~in_line(session, now, resend_after))),
    )))).all()
    for state in (PENDING, QUEUED):
        ids = [job_id for job_id, s in unsent if s == state]
        job_events.record(session, job_events.RESENT, job_events.refs(session, ids),
                          "committed but never sent" if state == PENDING else
                          f"not started {resend_after.total_seconds():.0f} s after it was due "
                          "(its message was lost)")
    unsent = [job_id for job_id, _ in unsent]
    to_send = [*expired, *unsent]
    if to_send:
        session.execute(update(SyncJob).where(SyncJob.id.in_(to_send), SyncJob.state.in_(
            (PENDING, QUEUED))).values(state=QUEUED, sent_at=now)
            .execution_options(synchronize_session=False))
    session.commit()
    for job_id in to_send:
        runtime.send(job_id)
    return {"expired": len(expired), "resent": len(unsent), "recovered": len(recovered)}


def clean_up(session: Session, keep_days: int) -> int:
    """Delete done and cancelled jobs finished more than `keep_days` ago
    (failed jobs stay until someone retries or cancels them)."""
    cutoff = utcnow() - dt.timedelta(days=keep_days)
    deleted = session.execute(delete(SyncJob).where(
        SyncJob.state.in_((DONE, CANCELLED)), SyncJob.finished_at < cutoff)
        .execution_options(synchronize_session=False)).rowcount
    session.commit()
    return deleted
