"""Periodic work in exactly one process: the sweeper every tick, the status
pull and the clean-up of old jobs less often, and the addons' watches
(`hub.Watch`, watching.py) while elected.

Election through the database: the scheduler lease row is taken by a
conditional UPDATE (free, expired, or already ours) and renewed once half of
it has passed, so a second `crossdock scheduler` waits as a standby and takes over within
one lease period (6 ticks, at least 30 s) after the first one dies, or at once
when the holder was a process of this host that is gone (a restarted
`crossdock run`: process_identity.py).
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid

from flask import current_app
from sqlalchemy import false, or_, update
from sqlalchemy.exc import IntegrityError, OperationalError

from core.db import db

from . import registry
from .models import SchedulerLease, utcnow
from .process_identity import is_gone, this_process
from .status_pull import pull_states
from .sweeper import clean_up, sweep
from .watching import Watches

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"
CLEAN_UP_EVERY = 3600.0


def run_tasks(session, tasks: list) -> dict[str, str]:
    """Each due `hub.Every`, committed alone; {kind: what it did, or why not}."""
    done = {}
    for task in tasks:
        try:
            done[task.kind] = task.run(session) or "nothing to do"
            session.commit()
        except Exception as exc:  # noqa: BLE001 - one task's bug must not stop the others
            session.rollback()
            log.exception("hub scheduler: task %s failed", task.kind)
            done[task.kind] = f"failed: {exc}"
    return done


class Scheduler:
    def __init__(self, runtime, holder: str | None = None):
        self.runtime = runtime
        self.holder = holder or f"{this_process()}/{uuid.uuid4().hex[:6]}"
        self.tick_seconds = runtime.hub_settings.hub_sweep_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_pull: dict[str, float] = {}  # Pull kind -> when it last ran (monotonic)
        self._last_clean = 0.0
        self.watches = Watches(runtime.app)

    def acquire(self, session) -> bool:
        """Take or renew the lease; True while this process is the scheduler.
        A held lease is renewed only once half of it has passed: a write every
        tick would, on SQLite, fail other processes' transactions that read
        before they write (`database is locked` at once, whatever the timeout)."""
        now = utcnow()
        lease = dt.timedelta(seconds=max(6 * self.tick_seconds, 30))
        row = session.get(SchedulerLease, LEASE_NAME)
        if row is not None and row.holder == self.holder and row.expires_at - now > lease / 2:
            session.commit()
            return True
        until = now + lease
        dead = row is not None and is_gone(row.holder.split("/", 1)[0])
        taken = row is not None and session.execute(update(SchedulerLease).where(
            SchedulerLease.name == LEASE_NAME,
            or_(SchedulerLease.holder == self.holder, SchedulerLease.expires_at < now,
                SchedulerLease.holder == row.holder if dead else false()))
            .values(holder=self.holder, expires_at=until)
            .execution_options(synchronize_session=False)).rowcount == 1
        if taken and dead:
            log.warning("hub scheduler: took over from %s, a process of this host that is "
                        "gone (lease not awaited)", row.holder)
        if row is None:
            try:
                session.add(SchedulerLease(name=LEASE_NAME, holder=self.holder, expires_at=until))
                session.flush()
                taken = True
            except IntegrityError:  # another process created it first
                session.rollback()
                return False
        session.commit()
        return taken

    def tick(self) -> dict | None:
        """One round if elected; returns what was done (None when standby)."""
        with self.runtime.app.app_context():
            session = db.session
            try:
                if not self.acquire(session):
                    self.watches.stop_all()  # another process is the scheduler now
                    return None
                done = {"sweep": sweep(session, self.runtime)}
                clock = time.monotonic()
                due = self._due_pulls(clock)
                if due:
                    done["pull"] = pull_states(session, due)
                tasks = self._due_tasks(clock)
                if tasks:
                    done["tasks"] = run_tasks(session, tasks)
                if clock - self._last_clean >= CLEAN_UP_EVERY:
                    self._last_clean = clock
                    done["cleaned"] = clean_up(session, self.runtime.hub_settings.hub_keep_done_days)
                self.watches.follow(self._of_active_addons(registry.watches(),
                                                           lambda w: w.watch))
                return done
            finally:
                session.remove()

    def _due_pulls(self, clock: float) -> list:
        """The registered pulls of active addons whose interval has passed (marked
        as run)."""
        default = self.runtime.hub_settings.hub_status_pull_seconds
        return self._due(clock, registry.pulls(), lambda p: p.pull,
                         lambda p: p.every_seconds or default)

    def _due_tasks(self, clock: float) -> list:
        """The `hub.Every` tasks of active addons whose interval has passed."""
        return self._due(clock, registry.tasks(), lambda t: t.run, lambda t: t.every_seconds)

    def _due(self, clock: float, declared, function, interval) -> list:
        due = [v for v in self._of_active_addons(declared, function)
               if clock - self._last_pull.get(v.kind, float("-inf")) >= interval(v)]
        for value in due:
            self._last_pull[value.kind] = clock
        return due

    def _of_active_addons(self, declared, function) -> list:
        """The declared values whose function's addon is active (or that are the
        host's own). Every importable addon registers its handlers at start; one
        that is not installed, or disabled, has no tables to write to."""
        addons = current_app.extensions["crossdock"].runtime
        active = addons.gate.active()

        def owner_active(value) -> bool:
            owner = addons.owner_of(getattr(function(value), "__module__", "") or "")
            return owner is None or owner in active

        return [v for v in declared if owner_active(v)]

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except OperationalError as exc:
                # the database is down or (SQLite) locked by another process's
                # write: expected now and then, and the next tick does the work
                log.warning("hub scheduler: database unavailable (%s); trying again",
                            exc.orig)
            except Exception:  # a bug must not end the scheduler either
                log.exception("hub scheduler: tick failed; trying again")
            self._stop.wait(self.tick_seconds)

    def start_thread(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="crossdock-hub-scheduler",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.watches.stop_all()
