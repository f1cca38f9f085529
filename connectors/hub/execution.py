"""Running one job: claim, prepare, call the remote, record the outcome.

1. Claim with one conditional UPDATE: only a pending/queued job that is due
   and has no earlier unfinished job for the same record becomes `running`,
   with a lease (expiry + token). A second running job for the same record is
   refused by the unique index `ix_hub_job_record_running`. A message for a
   job that is not claimable (done, cancelled, already running, not due,
   waiting on an earlier job) is dropped: duplicates are harmless.
2. A push's `prepare` reads our records; that read transaction ends
   before the remote call, which holds no database transaction. An inbound
   event's `process` (no remote call) writes our records in the transaction
   that records the outcome.
3. Outcome: bindings + `done` in one transaction, conditional on still
   holding the lease (if the sweeper gave the job to another worker, this
   worker's result is discarded; the remote call is idempotent by reference,
   so the other worker finds the remote record instead of creating one).
   A binding that clashes (the remote record is bound to another of our
   records) is found only after the remote write: the handler's `undo` takes
   the write back where the remote allows, and the job fails saying what
   exists where.
4. Transient error: back to `queued` with a delay (backoff.py) and a delayed
   message; permanent error: `failed` with the reason in words, and its
   `details` (what a person can do about it) kept on the job.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass, field

from dramatiq.middleware import Interrupt
from sqlalchemy import exists, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, aliased, lazyload

from connectors.errors import PermanentError, TransientError
from core.db import db
from core.security.actor import Actor, acting_as

from . import job_events, registry
from .backoff import retry_delay
from .bindings import write_binding
from .handlers import Inbound, Outcome, Settled, Skip
from .clients import backend_config, client_for
from .models import (DONE, FAILED, PENDING, QUEUED, RUNNING, WAITING_STATES, Backend, Binding,
                     InboundEvent, SyncJob, utcnow)
from .process_identity import this_process

log = logging.getLogger(__name__)
EARLY_SLACK = dt.timedelta(seconds=1)  # a delayed message may arrive a little early


@dataclass
class JobContext:
    """What a handler's `prepare` gets: the session and the job's coordinates."""
    session: Session
    job_id: int
    kind: str
    model: str
    record_id: int
    backend_id: int | None
    attempt: int
    backend_options: dict = field(default_factory=dict)  # the backend's JSON options
    decision: dict = field(default_factory=dict)  # what a person chose when retrying

    def binding(self, model: str, record_id: int) -> Binding | None:
        return self.session.scalars(select(Binding).where(
            Binding.backend_id == self.backend_id, Binding.model == model,
            Binding.record_id == record_id).options(lazyload(Binding.backend))).first()

    def external_ids(self, model: str, record_ids) -> dict[int, str]:
        """{record id: external id} of those records bound on this job's backend."""
        ids = list(record_ids)
        if not ids:
            return {}
        return dict(self.session.execute(select(Binding.record_id, Binding.external_id).where(
            Binding.backend_id == self.backend_id, Binding.model == model,
            Binding.record_id.in_(ids))).all())


def run_job(runtime, job_id: int) -> str:
    """Run job `job_id` if it can be claimed; return what happened (for logs/tests)."""
    with runtime.app.app_context(), acting_as(Actor(None, f"hub job #{job_id}", is_system=True)):
        session = db.session
        try:
            return _run(runtime, session, job_id)
        finally:
            session.remove()


def _run(runtime, session: Session, job_id: int) -> str:
    token = _claim(session, job_id, runtime.hub_settings.hub_lease_seconds)
    if token is None:
        return "skipped"
    job = session.get(SyncJob, job_id)
    ctx = JobContext(session, job.id, job.kind, job.model, job.record_id, job.backend_id,
                     job.attempts, decision=job.details.get("decision") or {})
    undo = None
    try:
        handler = registry.handler(job.kind)
        if isinstance(handler, Inbound):
            outcome = _process(ctx, handler)  # its writes commit with the job's `done`
        else:
            config = _backend_config(job.backend)
            ctx.backend_options = job.backend.options
            payload = handler.prepare(ctx)
            session.rollback()  # end the read transaction: none is open during the remote call
            client = client_for(config)
            outcome = handler.call(client, payload)
            if handler.undo is not None:
                undo = lambda: handler.undo(client, payload, outcome)  # noqa: E731
    except Skip as exc:
        session.rollback()
        return _finish(runtime, session, job_id, token, Outcome(str(exc)))
    except TransientError as exc:
        session.rollback()
        return _reschedule(runtime, session, ctx, token, str(exc), exc.retry_after)
    except (OperationalError, Interrupt) as exc:  # our database hiccup, or the time limit
        session.rollback()
        return _reschedule(runtime, session, ctx, token, _internal(exc), None)
    except (PermanentError, LookupError) as exc:
        session.rollback()
        return _fail(runtime, session, job_id, token, str(exc),
                     problem=getattr(exc, "details", None))
    except Exception as exc:  # a bug in a mapping: stop, say so, keep the traceback in the log
        log.exception("hub job #%s (%s) failed unexpectedly", job_id, ctx.kind)
        session.rollback()
        return _fail(runtime, session, job_id, token, _internal(exc))
    return _finish(runtime, session, job_id, token, outcome, undo=undo)


def _process(ctx: JobContext, handler: Inbound) -> Outcome:
    """An inbound event's processing, left in the session for `_finish`."""
    event = ctx.session.get(InboundEvent, ctx.record_id)
    if event is None:
        raise Skip(f"inbound event #{ctx.record_id} is gone; nothing to process")
    summary = handler.process(ctx.session, event)
    ctx.session.flush()  # a refused write is the handler's error, not the outcome's
    return Outcome(summary or f"{event.source} event {event.external_id} processed")


def _internal(exc: BaseException) -> str:
    return f"internal error: {type(exc).__name__}: {exc}"[:2000]


def _backend_config(backend: Backend | None) -> dict:
    if backend is None:
        raise PermanentError("the job has no backend")
    if not backend.active:
        raise PermanentError(f"backend '{backend.name}' is disabled: enable it, then retry")
    return backend_config(backend)


def _claim(session: Session, job_id: int, lease_seconds: float) -> str | None:
    now = utcnow()
    earlier = aliased(SyncJob)
    token = uuid.uuid4().hex
    stmt = (update(SyncJob)
            .where(SyncJob.id == job_id, SyncJob.state.in_((PENDING, QUEUED)),
                   or_(SyncJob.next_attempt_at.is_(None),
                       SyncJob.next_attempt_at <= now + EARLY_SLACK),
                   ~exists().where(earlier.record_key == SyncJob.record_key,
                                   earlier.id < SyncJob.id,
                                   earlier.state.in_(WAITING_STATES)))
            .values(state=RUNNING, attempts=SyncJob.attempts + 1, lease_token=token,
                    lease_holder=this_process(),
                    lease_expires_at=now + dt.timedelta(seconds=lease_seconds),
                    started_at=db.func.coalesce(SyncJob.started_at, now))
            .execution_options(synchronize_session=False))
    for _ in range(2):
        try:
            claimed = session.execute(stmt).rowcount == 1
            session.commit()
        except IntegrityError:  # another job of this record is running (ix_hub_job_record_running)
            session.rollback()
            claimed = False
        if claimed:
            return token
        if _mark_waiting(session, job_id, earlier):
            return None  # the job before it will send it when it ends (runtime.dispatch_next)
        # not waiting on anyone (any more): claim again in case the earlier job
        # ended between the two statements; otherwise the job is done, running
        # elsewhere or not due, and this message is dropped
    return None


def _mark_waiting(session: Session, job_id: int, earlier) -> bool:
    """The job waits behind an earlier one with its serial key: note that no
    message of it is on its way (sent_at NULL), so dispatch_next sends one."""
    marked = session.execute(update(SyncJob).where(
        SyncJob.id == job_id, SyncJob.state.in_((PENDING, QUEUED)),
        exists().where(earlier.record_key == SyncJob.record_key, earlier.id < SyncJob.id,
                       earlier.state.in_(WAITING_STATES)))
        .values(sent_at=None).execution_options(synchronize_session=False)).rowcount == 1
    session.commit()
    return marked


def _owned(job_id: int, token: str):
    return (SyncJob.id == job_id, SyncJob.state == RUNNING, SyncJob.lease_token == token)


_LEASE_CLEARED = dict(lease_token=None, lease_expires_at=None, lease_holder=None)


def _finish(runtime, session: Session, job_id: int, token: str,
            outcome: Outcome, undo=None) -> str:
    now = utcnow()
    done = session.execute(update(SyncJob).where(*_owned(job_id, token)).values(
        state=DONE, finished_at=now, result=outcome.summary[:2000],
        remote_ref=outcome.remote_ref, last_error=None, next_attempt_at=None,
        **_LEASE_CLEARED).returning(SyncJob.backend_id, SyncJob.record_key)
        .execution_options(synchronize_session=False)).first()
    if done is None:
        session.rollback()
        log.warning("hub job #%s: lease lost before the result was saved; "
                    "the worker that holds it now records the outcome", job_id)
        return "lease-lost"
    backend_id, key = done
    try:
        for bind in outcome.bindings:
            write_binding(session, backend_id, bind, now)
        _settle(session, job_id, True, outcome.summary, outcome.data)
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        clash = _binding_conflict(session, backend_id, outcome.bindings)
        session.rollback()
        if clash is None:
            return _fail(runtime, session, job_id, token, _internal(exc))
        reason, problem = clash
        left = _undo(undo, job_id)
        written = f"the remote write ({outcome.summary})"
        return _fail(runtime, session, job_id, token,
                     f"{reason}; {written} was taken back: {left.text}" if left.ok else
                     f"{reason}; {written} is still there: {left.text}",
                     problem={**problem, "written": outcome.summary, "undone": left.ok,
                              "left": left.text})
    except OperationalError:
        raise  # our database's hiccup: the lease expires and the job runs again
    except Exception as exc:  # a bug in on_settled: the job says so, the traceback is logged
        log.exception("hub job #%s: recording the outcome failed", job_id)
        session.rollback()
        return _fail(runtime, session, job_id, token, _internal(exc))
    runtime.dispatch_next(session, job_id, key)
    return "done"




def _binding_conflict(session: Session, backend_id: int, binds) -> tuple[str, dict] | None:
    """In words (and as details): which remote record is already bound to
    which other record of ours."""
    for bind in binds:
        other = session.scalars(select(Binding.record_id).where(
            Binding.backend_id == backend_id, Binding.model == bind.model,
            Binding.external_id == bind.external_id, Binding.record_id != bind.record_id)).first()
        if other is not None:
            return (f"{bind.model} {bind.record_id}: its remote record {bind.external_id} is "
                    f"already bound to our {bind.model} {other} (bindings are unique both ways)",
                    {"kind": "binding_conflict", "model": bind.model,
                     "record_id": bind.record_id, "external_id": bind.external_id,
                     "bound_record_id": other})
    return None


@dataclass(frozen=True)
class _Undone:
    ok: bool
    text: str


def _undo(undo, job_id: int) -> _Undone:
    """Run the handler's undo (no transaction is open); never raises."""
    if undo is None:
        return _Undone(False, "the remote record stays as it was (this job kind cannot undo it)")
    try:
        text = undo()
    except (PermanentError, TransientError) as exc:
        return _Undone(False, f"it could not be taken back: {exc}")
    except Exception as exc:  # noqa: BLE001 - say so on the job, keep the traceback in the log
        log.exception("hub job #%s: undo failed", job_id)
        return _Undone(False, f"it could not be taken back: {_internal(exc)}")
    return _Undone(True, text or "done")


def _reschedule(runtime, session: Session, ctx: JobContext, token: str, error: str,
                retry_after: float | None) -> str:
    # no read before this UPDATE: on SQLite a transaction that reads first and
    # then writes fails at once if another writer committed in between
    settings, job_id, attempts = runtime.hub_settings, ctx.job_id, ctx.attempt
    delay = retry_delay(attempts, settings.hub_backoff_base_seconds,
                        settings.hub_backoff_ceiling_seconds, retry_after)
    now = utcnow()
    moved = session.execute(update(SyncJob).where(*_owned(job_id, token)).values(
        state=QUEUED, next_attempt_at=now + dt.timedelta(seconds=delay), sent_at=now,
        last_error=f"attempt {attempts}: {error}"[:2000], **_LEASE_CLEARED)
        .execution_options(synchronize_session=False)).rowcount
    if moved:
        job_events.record(session, job_events.RETRY, job_events.refs(session, [job_id]),
                          f"attempt {attempts} failed, next in {delay:.1f} s: {error}")
    session.commit()
    if moved:
        runtime.send(job_id, delay_seconds=delay)
    return "retry"


def _settle(session: Session, job_id: int, ok: bool, text: str, data=None) -> None:
    """The handler's on_settled, in the transaction that ends the job."""
    job = session.execute(select(SyncJob.kind, SyncJob.record_id, SyncJob.backend_id,
                                 Backend.name).outerjoin(Backend, Backend.id == SyncJob.backend_id)
                          .where(SyncJob.id == job_id)).first()
    try:
        handler = registry.handler(job.kind)
    except LookupError:
        return
    if getattr(handler, "on_settled", None) is not None:
        handler.on_settled(session, Settled(job_id, job.kind, job.record_id, job.backend_id,
                                            job.name or "", ok, text, data))


def _fail(runtime, session: Session, job_id: int, token: str, error: str,
          problem: dict | None = None) -> str:
    values = dict(state=FAILED, finished_at=utcnow(), last_error=error[:2000],
                  next_attempt_at=None, **_LEASE_CLEARED,
                  details_json=json.dumps({"problem": problem}, ensure_ascii=False)
                  if problem else None)
    moved = session.execute(update(SyncJob).where(*_owned(job_id, token)).values(**values)
                            .execution_options(synchronize_session=False)).rowcount
    if moved:
        try:
            _settle(session, job_id, False, error)
        except Exception:  # the failure is recorded either way; the record says so later
            log.exception("hub job #%s: on_settled failed", job_id)
            session.rollback()
            moved = session.execute(update(SyncJob).where(*_owned(job_id, token))
                                    .values(**values)
                                    .execution_options(synchronize_session=False)).rowcount
    session.commit()
    if moved:
        log.warning("hub: job #%s failed: %s", job_id, error[:500])
        runtime.dispatch_next(session, job_id)
    return "failed"
