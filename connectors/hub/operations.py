"""What people do to jobs, from the screens and the CLI: retry a failed job
(after fixing the data), cancel one that should not run, and resolve a failed
job's problem (bind the record to one of the remote records it names, or have
a new one created) before retrying. Conditional updates, audited as events."""
from __future__ import annotations

import json

from flask_babel import gettext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.security.audit import record_event

from .models import CANCELLED, FAILED, PENDING, QUEUED, Binding, SyncJob, utcnow
from .state_labels import state_label


class JobActionRefused(ValueError):
    pass


def retry(session: Session, runtime, job_id: int, decision: dict | None = None) -> None:
    """Send a failed (or waiting) job again; `decision` is what a person chose
    about its problem, handed to the handler's prepare (`JobContext.decision`)."""
    job = session.get(SyncJob, job_id)
    if job is None:
        raise JobActionRefused(_missing(job_id))
    if job.state not in (FAILED, QUEUED):
        raise JobActionRefused(gettext("job #%(id)s is %(state)s: only failed or waiting jobs "
                                       "can be retried", id=job_id, state=state_label(job.state)))
    # back to pending: dispatch marks it queued once its message left (a CLI
    # process with the embedded broker sends none; `crossdock run`'s sweeper will)
    moved = session.execute(update(SyncJob).where(
        SyncJob.id == job_id, SyncJob.state.in_((FAILED, QUEUED)))
        .values(state=PENDING, next_attempt_at=utcnow(), finished_at=None, sent_at=None,
                details_json=json.dumps({"decision": decision}, ensure_ascii=False)
                if decision else None)
        .execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise JobActionRefused(_changed(job_id))
    record_event(session, "hub_retry", "SyncJob", job_id,
                 {"kind": job.kind, "record": f"{job.model}:{job.record_id}",
                  "last_error": job.last_error, **({"decision": decision} if decision else {})})
    session.commit()
    runtime.dispatch([job_id])


def cancel(session: Session, runtime, job_id: int) -> None:
    job = session.get(SyncJob, job_id)
    if job is None:
        raise JobActionRefused(_missing(job_id))
    if job.state not in (PENDING, QUEUED, FAILED):
        raise JobActionRefused(gettext("job #%(id)s is %(state)s: only pending, waiting or "
                                       "failed jobs can be cancelled",
                                       id=job_id, state=state_label(job.state)))
    moved = session.execute(update(SyncJob).where(
        SyncJob.id == job_id, SyncJob.state.in_((PENDING, QUEUED, FAILED)))
        .values(state=CANCELLED, finished_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise JobActionRefused(_changed(job_id))
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
        raise JobActionRefused(_missing(job_id))
    problem = job.problem
    if job.state != FAILED or not problem.get("model"):
        raise JobActionRefused(gettext("job #%(id)s has no problem to resolve", id=job_id))
    model, record_id = problem["model"], int(problem["record_id"])
    if action == "new":
        retry(session, runtime, job_id, decision={"action": "new", "model": model,
                                                  "record_id": record_id})
        return gettext("job #%(id)s: a new remote record will be created for %(model)s "
                       "%(record)s", id=job_id, model=model, record=record_id)
    if action != "bind":
        raise JobActionRefused(gettext("unknown action %(action)r (bind or new)",
                                       action=action))
    candidates = {str(c.get("external_id")) for c in problem.get("candidates", [])}
    if external_id not in candidates:
        raise JobActionRefused(gettext("remote record %(remote)r is not one the problem names",
                                       remote=external_id))
    other = session.scalar(select(Binding.record_id).where(
        Binding.backend_id == job.backend_id, Binding.model == model,
        Binding.external_id == external_id, Binding.record_id != record_id))
    if other is not None:
        raise JobActionRefused(gettext(
            "remote record %(remote)s is bound to our %(model)s %(other)s: merge the two "
            "records first, or create a new remote record",
            remote=external_id, model=model, other=other))
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
        raise JobActionRefused(gettext("remote record %(remote)s was bound meanwhile; reload",
                                       remote=external_id)) from None
    record_event(session, "hub_bind", "SyncJob", job_id,
                 {"record": f"{model}:{record_id}", "external_id": external_id})
    retry(session, runtime, job_id)
    return gettext("job #%(id)s: %(model)s %(record)s bound to remote record %(remote)s",
                   id=job_id, model=model, record=record_id, remote=external_id)


def _missing(job_id: int) -> str:
    return gettext("job #%(id)s does not exist", id=job_id)


def _changed(job_id: int) -> str:
    return gettext("job #%(id)s changed meanwhile; reload", id=job_id)
