"""Inbound events (hub.receive + hub.Inbound) on the embedded broker, on real
SQLite and PostgreSQL: stored raw and once per (source, external id) in the
caller's transaction, processed after commit by a job with the push's retry
and failure rules. The handlers are declared here; no addon uses the shape yet."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from connectors import hub
from connectors.errors import PermanentError, TransientError
from connectors.hub.models import InboundEvent, SyncJob
from core.db import db

seen: list[tuple[str, dict]] = []
failing_attempts: list[int] = []


def _remember(session, event) -> str:
    seen.append((event.external_id, event.json()))
    return f"order {event.json()['order']} is {event.json()['state']}"


def _fail_twice_then_refuse(session, event) -> str:
    failing_attempts.append(1)
    if len(failing_attempts) == 1:
        raise TransientError("the sender's server is busy")
    raise PermanentError("order 42 is not ours: nothing to update")


REMEMBER = hub.Inbound(source="test.erp_webhook", process=_remember)
REFUSE = hub.Inbound(source="test.refusing", process=_fail_twice_then_refuse)


@pytest.fixture
def hub_app(make_app):
    seen.clear()
    failing_attempts.clear()
    hub.register(REMEMBER, REFUSE)
    app = make_app(hub_backoff_base_seconds=0.2, hub_backoff_ceiling_seconds=0.5)
    app.extensions["hub"].start_worker(2)  # tests start the hub's workers themselves
    yield app
    app.extensions["hub"].stop()


def _job(app, event_id, states=("done", "failed"), timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            job = db.session.scalars(select(SyncJob).where(
                SyncJob.model == "hub.inbound_event", SyncJob.record_id == event_id)).first()
            if job is not None and job.state in states:
                db.session.expunge(job)
                return job
        time.sleep(0.05)
    raise AssertionError(f"the job of event #{event_id} did not end")


def test_a_duplicate_delivery_stores_one_event_and_is_processed_once(hub_app):
    body = '{"order": "SO2026-00001", "state": "delivered"}'
    with hub_app.app_context():
        first = hub.receive(db.session, REMEMBER, "delivery-1", body.encode())
        db.session.commit()
        first_id = first.id
    job = _job(hub_app, first_id)
    assert (job.state, job.kind, job.result) == (
        "done", "inbound.test.erp_webhook", "order SO2026-00001 is delivered")
    with hub_app.app_context():  # the sender delivers it again, after and while processing
        again = hub.receive(db.session, "test.erp_webhook", "delivery-1", body.encode())
        db.session.commit()
        assert again.id == first_id
        assert db.session.scalar(select(func.count(InboundEvent.id))) == 1
        assert db.session.scalar(select(func.count(SyncJob.id))) == 1
    time.sleep(0.5)  # a second job would have run by now
    assert seen == [("delivery-1", {"order": "SO2026-00001", "state": "delivered"})]


def test_the_raw_payload_is_kept_as_received_in_the_callers_transaction(hub_app):
    raw = '{ "order":"SO2026-00002",\n  "state": "已开票" }'
    with hub_app.app_context():
        hub.receive(db.session, REMEMBER, "rolled-back", raw)
        db.session.rollback()  # the request failed: no event, no job
        assert db.session.scalar(select(func.count(InboundEvent.id))) == 0
        assert db.session.scalar(select(func.count(SyncJob.id))) == 0
        event = hub.receive(db.session, REMEMBER, "delivery-2", raw.encode("utf-8"))
        as_dict = hub.receive(db.session, REMEMBER, "delivery-3",
                              {"order": "SO2026-00003", "state": "done"})
        db.session.commit()
        event_id, dict_id = event.id, as_dict.id
    assert _job(hub_app, event_id).state == "done"
    _job(hub_app, dict_id)
    with hub_app.app_context():
        stored = db.session.get(InboundEvent, event_id)
        assert (stored.source, stored.external_id, stored.payload) == (
            "test.erp_webhook", "delivery-2", raw)
        assert db.session.get(InboundEvent, dict_id).json() == {"order": "SO2026-00003",
                                                               "state": "done"}


def test_a_failing_process_retries_then_fails_with_its_reason(hub_app):
    with hub_app.app_context():
        event = hub.receive(db.session, REFUSE, "n-1", "{}")
        db.session.commit()
        event_id = event.id
    job = _job(hub_app, event_id, states=("failed",))
    assert job.attempts == 2 and len(failing_attempts) == 2  # one retry after the busy answer
    assert job.last_error == "order 42 is not ours: nothing to update"
    with hub_app.app_context():  # the event stays, for a person to retry from the dashboard
        assert db.session.get(InboundEvent, event_id).payload == "{}"


def test_an_event_nobody_processes_is_refused_at_once(hub_app):
    with hub_app.app_context():
        with pytest.raises(LookupError, match="inbound.test.nobody"):
            hub.receive(db.session, "test.nobody", "x-1", "{}")
        db.session.rollback()
