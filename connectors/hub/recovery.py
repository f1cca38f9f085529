"""A restarted process resumes within seconds, not after the lease.

- `recover_dead_claims`: running jobs whose claim names a process of this
  host that is gone (process_identity.is_gone: no such pid, or a new process
  under it) go back to `queued` at once and run again after a short grace
  (`hub_recovery_grace_seconds`): a process killed during a remote call
  leaves that request running at the remote, and the re-run must find what
  it made (a Tryton sale created or quoted a moment after the kill) instead
  of making it twice. The lease (120 s) still covers processes of other
  hosts and hung ones. Run when a worker starts and at every sweep.
- `resend_after_restart`: with the embedded broker the messages of the
  process before were in its memory: at start, every waiting job at the head
  of its serial chain is sent again (sending twice is harmless: one claim wins),
  and the ones behind them are sent as their turn comes.
Each job is logged and counted (job_events).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import job_events
from .models import PENDING, QUEUED, RUNNING, SyncJob, utcnow
from .process_identity import HOST, is_gone
from .sweeper import chain_heads


def recover_dead_claims(session: Session, runtime) -> list[int]:
    now = utcnow()
    grace = runtime.hub_settings.hub_recovery_grace_seconds
    claims = session.execute(select(SyncJob.id, SyncJob.lease_holder, SyncJob.lease_token)
                             .where(SyncJob.state == RUNNING,
                                    SyncJob.lease_holder.like(f"{HOST}:%"))).all()
    moved = []
    for job_id, holder, token in claims:
        if not is_gone(holder):
            continue
        if session.execute(update(SyncJob).where(
                SyncJob.id == job_id, SyncJob.state == RUNNING, SyncJob.lease_token == token)
                .values(state=QUEUED, next_attempt_at=now + dt.timedelta(seconds=grace),
                        sent_at=now, lease_token=None, lease_expires_at=None,
                        lease_holder=None, last_error="its worker process stopped during an "
                        f"attempt; runs again in {grace:g} s")
                .execution_options(synchronize_session=False)).rowcount:
            moved.append(job_id)
            job_events.record(session, job_events.RECOVERED, job_events.refs(session, [job_id]),
                              f"its worker process {holder} is gone; runs again in "
                              f"{grace:g} s without waiting for the lease")
    session.commit()
    for job_id in moved:
        runtime.send(job_id, delay_seconds=grace)
    return moved


def resend_after_restart(session: Session, runtime, already_sent=()) -> list[int]:
    now = utcnow()
    rows = session.execute(chain_heads(
        select(SyncJob.id, SyncJob.state).where(
            SyncJob.state.in_((PENDING, QUEUED)), SyncJob.id.not_in(list(already_sent)),
            SyncJob.next_attempt_at.is_(None) | (SyncJob.next_attempt_at <= now)))).all()
    heads = [job_id for job_id, _ in rows]
    # the jobs queued behind those had their messages in that memory too: marked
    # as having none on its way, each is sent when the job before it ends
    # (runtime.dispatch_next) instead of after the sweeper's resend delay
    session.execute(update(SyncJob).where(
        SyncJob.state.in_((PENDING, QUEUED)), SyncJob.sent_at.is_not(None),
        SyncJob.id.not_in([*heads, *already_sent]))
        .values(sent_at=None).execution_options(synchronize_session=False))
    if heads:
        session.execute(update(SyncJob).where(SyncJob.id.in_(heads),
                                              SyncJob.state.in_((PENDING, QUEUED)))
                        .values(state=QUEUED, sent_at=now)
                        .execution_options(synchronize_session=False))
        for state, reason in ((PENDING, "committed but not sent yet (no process ran jobs)"),
                              (QUEUED, "this process started: the message was in the memory "
                                       "of the process before (embedded broker)")):
            job_events.record(session, job_events.RESENT, job_events.refs(
                session, [job_id for job_id, s in rows if s == state]), reason)
    session.commit()
    for job_id in heads:
        runtime.send(job_id)
    return heads
