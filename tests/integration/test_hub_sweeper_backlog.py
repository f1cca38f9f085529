"""The sweeper sends again the queued jobs whose message was lost, and only
those: a backlog the workers are still working through is left in line.

Rows are put with chosen states and times; the app runs no hub worker
(hub_embedded_threads=0), so the sweep's choice is all that moves them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from connectors.hub.models import SyncJob, utcnow
from connectors.hub.sweeper import sweep
from core.db import db
from tests.integration.test_hub_screens import add_backend, add_jobs

RESEND_AFTER = 10
MODEL = "tests.thing"  # no addon's records: the sweep's log names jobs by id only


def _sent_again(app, ids) -> set[int]:
    """The jobs among `ids` the sweep just handed to the broker again."""
    with app.app_context():
        before = dict(db.session.execute(select(SyncJob.id, SyncJob.sent_at)
                                          .where(SyncJob.id.in_(ids))).all())
        counts = sweep(db.session, app.extensions["hub"])
        after = dict(db.session.execute(select(SyncJob.id, SyncJob.sent_at)
                                         .where(SyncJob.id.in_(ids))).all())
    again = {i for i in ids if after[i] != before[i]}
    assert counts["resent"] == len(again)
    return again


def _queued(backend, sent_ago: float, now):
    return {"backend_id": backend, "model": MODEL, "state": "queued",
            "sent_at": now - dt.timedelta(seconds=sent_ago)}


def test_a_backlog_waits_in_line_and_a_passed_over_job_is_sent_again(make_app):
    app = make_app(hub_embedded_threads=0, hub_resend_after_seconds=RESEND_AFTER)
    backend = add_backend(app, "ERP")
    now = utcnow()
    # a worker is on a job sent 40 s ago; 30 jobs sent after it wait their turn
    # (long past the resend delay: a backlog); one sent before it was passed
    # over: its message went with a worker killed while holding it
    running, passed_over, *backlog = add_jobs(app, [
        {"backend_id": backend, "model": MODEL, "state": "running", "sent_at": now - dt.timedelta(seconds=40),
         "lease_expires_at": now + dt.timedelta(minutes=2)},
        _queued(backend, 90, now),
        *[_queued(backend, 35 - n / 10, now) for n in range(30)]])
    assert _sent_again(app, [passed_over, *backlog]) == {passed_over}
    assert _sent_again(app, [passed_over, *backlog]) == set()  # just sent: not again


def test_a_stalled_queue_is_sent_again_in_full(make_app):
    """Nothing running and nothing finished lately (a broker restarted empty):
    every job due longer than the resend delay is sent again."""
    app = make_app(hub_embedded_threads=0, hub_resend_after_seconds=RESEND_AFTER)
    backend = add_backend(app, "ERP")
    now = utcnow()
    done_long_ago, *waiting = add_jobs(app, [
        {"backend_id": backend, "model": MODEL, "state": "done", "sent_at": now - dt.timedelta(minutes=5),
         "finished_at": now - dt.timedelta(minutes=4)},
        *[_queued(backend, 30 + n, now) for n in range(5)],
        _queued(backend, 2, now)])  # sent 2 s ago: not yet due for a resend
    assert _sent_again(app, waiting) == set(waiting[:5])
