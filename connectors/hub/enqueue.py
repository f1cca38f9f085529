"""Writing a job in the caller's transaction, and handing it to the broker
after that transaction commits (never before: no commit, no job).

A second live job for the same identity is refused by the unique index
`ix_hub_job_identity_live` inside a savepoint; `enqueue` then returns the job
that already holds the identity.
"""
from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import registry
from .handlers import Push
from .models import FAILED, LIVE_STATES, PENDING, SyncJob

log = logging.getLogger(__name__)
_INFO_KEY = "hub_dispatch"


def record_key(backend_id: int | None, serial_key: str) -> str:
    return f"{backend_id or 0}:{serial_key}"


def enqueue(session: Session, push: Push, record_id: int, backend_id: int | None,
            identity_key: str | None = None, serial_key: str | None = None,
            retry_failed: bool = False) -> SyncJob:
    """Add a job for the declared `push` (e.g. `ORDER_PUSH`) on one record and
    backend to the session's transaction; it is dispatched after commit.

    Jobs with the same serial key (default: the record, "model:id") and
    backend never run at once and run in the order they were written. Give a
    wider key when jobs of different records touch one remote record: orders
    of one customer share the customer's key, so two of them cannot both
    create that customer in the ERP.

    The live job holding the identity is returned instead of a new one; with
    `retry_failed`, a failed one is sent again (a person asked again)."""
    if not isinstance(push, Push):
        raise TypeError(f"hub.enqueue takes a declared hub.Push, not {push!r}")
    if not registry.is_registered(push):
        raise LookupError(f"the hub handler {push.kind!r} is not registered: pass it to "
                          "hub.register() in its addon's register()")
    return write_job(session, push.kind, push.model, record_id, backend_id,
                     identity_key=identity_key, serial_key=serial_key,
                     retry_failed=retry_failed)


def write_job(session: Session, kind: str, model: str, record_id: int, backend_id: int | None,
              identity_key: str | None = None, serial_key: str | None = None,
              retry_failed: bool = False) -> SyncJob:
    """The job row for `enqueue` and `receive` (inbound.py)."""
    key = record_key(backend_id, serial_key or f"{model}:{record_id}")
    identity = identity_key or f"{kind}@{backend_id or 0}:{model}:{record_id}"
    job = SyncJob(kind=kind, backend_id=backend_id, model=model, record_id=record_id,
                  record_key=key, identity_key=identity, state=PENDING, attempts=0)
    try:
        with session.begin_nested():
            session.add(job)
    except IntegrityError:
        existing = session.scalars(select(SyncJob).where(
            SyncJob.identity_key == identity, SyncJob.state.in_(LIVE_STATES))).first()
        if existing is None:  # not an identity clash after all
            raise
        if retry_failed and existing.state == FAILED:
            session.execute(update(SyncJob).where(SyncJob.id == existing.id,
                                                  SyncJob.state == FAILED)
                            .values(state=PENDING, next_attempt_at=None, finished_at=None,
                                    sent_at=None)
                            .execution_options(synchronize_session=False))
            session.refresh(existing)
            session.info.setdefault(_INFO_KEY, []).append(existing)
        return existing
    session.info.setdefault(_INFO_KEY, []).append(job)
    return job


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the real commit is yet to come
    jobs = session.info.pop(_INFO_KEY, None)
    if not jobs or not has_app_context():
        return  # outside an app the sweeper sends them
    runtime = current_app.extensions.get("hub")
    if runtime is None:
        return
    try:
        runtime.dispatch([job.id for job in jobs])
    except Exception:  # the commit stands; the sweeper re-sends pending jobs
        log.exception("hub: dispatch after commit failed; the sweeper will send the jobs")


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return  # only a savepoint rolled back
    session.info.pop(_INFO_KEY, None)
