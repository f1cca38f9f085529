"""What people do to jobs, from the screens and the CLI: retry a failed job
(after fixing the data) and cancel one that should not run. Both are
conditional updates, audited as events."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from core.security.audit import record_event

from .models import CANCELLED, FAILED, PENDING, QUEUED, SyncJob, utcnow


class JobActionRefused(ValueError):
    pass


def retry(session: Session, runtime, job_id: int) -> None:
    job = session.get(SyncJob, job_id)
    if job is None:
        raise JobActionRefused(f"job #{job_id} does not exist")
    if job.state not in (FAILED, QUEUED):
        raise JobActionRefused(f"job #{job_id} is {job.state}: only failed or waiting jobs "
                               "can be retried")
    # back to pending: dispatch marks it queued once its message left (a CLI
    # process with the embedded broker sends none; `crossdock run`'s sweeper will)
    moved = session.execute(update(SyncJob).where(
        SyncJob.id == job_id, SyncJob.state.in_((FAILED, QUEUED)))
        .values(state=PENDING, next_attempt_at=utcnow(), finished_at=None, sent_at=None)
        .execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise JobActionRefused(f"job #{job_id} changed meanwhile; reload")
    record_event(session, "hub_retry", "SyncJob", job_id,
                 {"kind": job.kind, "record": f"{job.model}:{job.record_id}",
                  "last_error": job.last_error})
    session.commit()
    runtime.dispatch([job_id])


def cancel(session: Session, runtime, job_id: int) -> None:
    job = session.get(SyncJob, job_id)
    if job is None:
        raise JobActionRefused(f"job #{job_id} does not exist")
    if job.state not in (PENDING, QUEUED, FAILED):
        raise JobActionRefused(f"job #{job_id} is {job.state}: only pending, waiting or failed "
                               "jobs can be cancelled")
    moved = session.execute(update(SyncJob).where(
        SyncJob.id == job_id, SyncJob.state.in_((PENDING, QUEUED, FAILED)))
        .values(state=CANCELLED, finished_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise JobActionRefused(f"job #{job_id} changed meanwhile; reload")
    record_event(session, "hub_cancel", "SyncJob", job_id,
                 {"kind": job.kind, "record": f"{job.model}:{job.record_id}"})
    session.commit()
    runtime.dispatch_next(session, job_id)  # a later job of the record no longer waits
