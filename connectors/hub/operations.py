"""What people do to jobs, from the screens and the CLI: retry a failed job
(after fixing the data), cancel one that should not run, and resolve a failed
job's problem (bind the record to one of the remote records it names, or have
a new one created) before retrying. Conditional updates, audited as events."""
from __future__ import annotations

import json

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.security.audit import record_event

from .models import CANCELLED, FAILED, PENDING, QUEUED, Binding, SyncJob, utcnow


class JobActionRefused(ValueError):
    pass


def retry(session: Session, runtime, job_id: int, decision: dict | None = None) -> None:
    """Send a failed (or waiting) job again; `decision` is what a person chose
    about its problem, handed to the handler's prepare (`JobContext.decision`)."""
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
        .values(state=PENDING, next_attempt_at=utcnow(), finished_at=None, sent_at=None,
                details_json=json.dumps({"decision": decision}, ensure_ascii=False)
                if decision else None)
        .execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise JobActionRefused(f"job #{job_id} changed meanwhile; reload")
    record_event(session, "hub_retry", "SyncJob", job_id,
                 {"kind": job.kind, "record": f"{job.model}:{job.record_id}",
                  "last_error": job.last_error, **({"decision": decision} if decision else {})})
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


def resolve(session: Session, runtime, job_id: int, action: str, external_id: str = "") -> str:
    """A person's answer to a failed job's problem (its details name the record
    and the remote candidates), then a retry; returns what was done in words.

    action "bind": the problem's record is bound to `external_id`, one of the
    candidates the problem names (refused if another of our records holds it);
    action "new": the handler is told to create a new remote record."""
    job = session.get(SyncJob, job_id)
    if job is None:
        raise JobActionRefused(f"job #{job_id} does not exist")
    problem = job.problem
    if job.state != FAILED or not problem.get("model"):
        raise JobActionRefused(f"job #{job_id} has no problem to resolve")
    model, record_id = problem["model"], int(problem["record_id"])
    if action == "new":
        retry(session, runtime, job_id, decision={"action": "new", "model": model,
                                                  "record_id": record_id})
        return f"job #{job_id}: a new remote record will be created for {model} {record_id}"
    if action != "bind":
        raise JobActionRefused(f"unknown action {action!r} (bind or new)")
    candidates = {str(c.get("external_id")) for c in problem.get("candidates", [])}
    if external_id not in candidates:
        raise JobActionRefused(f"remote record {external_id!r} is not one the problem names")
    other = session.scalar(select(Binding.record_id).where(
        Binding.backend_id == job.backend_id, Binding.model == model,
        Binding.external_id == external_id, Binding.record_id != record_id))
    if other is not None:
        raise JobActionRefused(f"remote record {external_id} is bound to our {model} {other}: "
                               "merge the two records first, or create a new remote record")
    binding = session.scalar(select(Binding).where(
        Binding.backend_id == job.backend_id, Binding.model == model,
        Binding.record_id == record_id))
    try:
        with session.begin_nested():
            if binding is None:
                session.add(Binding(backend_id=job.backend_id, model=model, record_id=record_id,
                                    external_id=external_id, synced_at=utcnow()))
            else:
                binding.external_id, binding.synced_at = external_id, utcnow()
    except IntegrityError:
        raise JobActionRefused(f"remote record {external_id} was bound meanwhile; "
                               "reload") from None
    record_event(session, "hub_bind", "SyncJob", job_id,
                 {"record": f"{model}:{record_id}", "external_id": external_id})
    retry(session, runtime, job_id)
    return f"job #{job_id}: {model} {record_id} bound to remote record {external_id}"
