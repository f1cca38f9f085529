"""One process's hub: its broker, the actor bound to it, and sending.

Every app gets its own runtime (tests build several apps in one process), so
the actor is bound to the app's broker explicitly rather than Dramatiq's
global one. The actor's name and queue are fixed, so a `crossdock worker`
process consumes what any web process sent.
"""
from __future__ import annotations

import logging
import threading

import click
import dramatiq
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.db import db

from . import execution
from .broker import ACTOR_NAME, QUEUE, describe, make_broker
from .models import PENDING, QUEUED, SyncJob, WAITING_STATES, utcnow
from .recovery import recover_dead_claims, resend_after_restart
from .settings import HubSettings

log = logging.getLogger(__name__)


class HubRuntime:
    def __init__(self, app, settings):
        self.app = app
        self.settings = settings
        self.hub_settings = settings.section(HubSettings)
        self.embedded = not settings.broker_url
        self.broker = make_broker(settings.broker_url)
        # time limit under the lease, so a job never outlives its claim
        time_limit_ms = int(self.hub_settings.hub_lease_seconds * 800)
        self.actor = dramatiq.Actor(self._perform, broker=self.broker, actor_name=ACTOR_NAME,
                                    queue_name=QUEUE, priority=0,
                                    options={"max_retries": 0, "time_limit": time_limit_ms})
        self._lock = threading.Lock()
        self.worker: dramatiq.Worker | None = None
        self.scheduler = None

    @property
    def broker_description(self) -> str:
        return describe(self.settings.broker_url)

    def _perform(self, job_id: int) -> None:
        execution.run_job(self, job_id)

    # -- sending ---------------------------------------------------------
    def send(self, job_id: int, delay_seconds: float = 0) -> bool:
        """Send a job's message; False when this process must not run jobs."""
        if self.embedded:
            if self.worker is None and click.get_current_context(silent=True) is not None:
                # a `crossdock` command other than `run` (sales demo, erp-resend):
                # it exits soon, and embedded workers would take the in-memory
                # messages and any claimed job with them; `crossdock run`'s
                # sweeper sends the jobs left pending within seconds
                return False
            self.start_embedded()
        delay = int(delay_seconds * 1000) or None
        self.actor.send_with_options(args=(job_id,), delay=delay)
        return True

    def dispatch(self, job_ids: list[int]) -> None:
        """Send freshly committed jobs, then mark them queued (a job whose
        message never left stays pending, and the sweeper sends it)."""
        sent = [job_id for job_id in job_ids if self.send(job_id)]
        if not sent:
            return
        with db.engine.begin() as conn:
            conn.execute(update(SyncJob).where(SyncJob.id.in_(sent), SyncJob.state == PENDING)
                         .values(state=QUEUED, sent_at=utcnow()))

    def dispatch_next(self, session, job_id: int, record_key: str | None = None) -> None:
        """After a job ended, send the next job with its serial key if that one
        has no message on its way (sent_at NULL: its message was dropped at a
        claim while this job ran, see execution._claim). Sending it again while
        its first message is still queued would leave the queue full of
        messages for jobs already done (seen as a 60 s stall behind a
        10,000-order backlog)."""
        key = record_key or session.scalar(select(SyncJob.record_key).where(SyncJob.id == job_id))
        next_id = session.scalar(select(SyncJob.id).where(
            SyncJob.record_key == key, SyncJob.id > job_id,
            SyncJob.state.in_(WAITING_STATES)).order_by(SyncJob.id).limit(1))
        taken = next_id is not None and session.execute(
            update(SyncJob).where(SyncJob.id == next_id, SyncJob.sent_at.is_(None),
                                  SyncJob.state.in_((PENDING, QUEUED)))
            .values(state=QUEUED, sent_at=utcnow())
            .execution_options(synchronize_session=False)).rowcount == 1
        session.commit()
        if taken and not self.send(next_id):  # this process sends nothing: leave it pending
            session.execute(update(SyncJob).where(SyncJob.id == next_id)
                            .values(sent_at=None).execution_options(synchronize_session=False))
            session.commit()

    # -- workers ---------------------------------------------------------
    def start_worker(self, threads: int) -> dramatiq.Worker:
        with self._lock:
            started = self.worker is None
            if started:
                self.worker = dramatiq.Worker(self.broker, queues={QUEUE},
                                              worker_threads=threads, worker_timeout=100)
                self.worker.start()
                log.info("hub: %d worker threads on %s", threads, self.broker_description)
        if started:  # a restart resumes what this host's dead processes left running
            self._recovered = self._at_start(recover_dead_claims) or []
        return self.worker

    def _at_start(self, step, *args):
        """Run a recovery step in its own session (the caller's stays untouched);
        a failure is logged, the sweeper does the same work later."""
        try:
            with self.app.app_context(), Session(db.engine) as session:
                return step(session, self, *args)
        except Exception:  # noqa: BLE001 - never keep a worker from starting
            log.exception("hub: recovery at start failed; the sweeper will do it")
            return None

    def start_embedded(self) -> None:
        """Worker threads and the scheduler inside this process (no broker URL)."""
        if self.worker is not None or self.hub_settings.hub_embedded_threads <= 0:
            return
        self.start_worker(self.hub_settings.hub_embedded_threads)
        # the in-memory messages of the process before are gone: send the waiting ones
        self._at_start(resend_after_restart, getattr(self, "_recovered", []))
        from .scheduler import Scheduler
        with self._lock:
            if self.scheduler is None:
                self.scheduler = Scheduler(self)
                self.scheduler.start_thread()

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.worker is not None:
            self.worker.stop(timeout=10_000)
            self.worker = None
        self.broker.close()
