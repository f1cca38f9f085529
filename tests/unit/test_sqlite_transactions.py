"""How core/db.py begins SQLite transactions: IMMEDIATE for writers, DEFERRED
for read-only HTTP requests and for a thread's second connection."""
from __future__ import annotations

import threading
import time

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from core.db import make_sqlite_transactional


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    make_sqlite_transactional(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    yield engine
    engine.dispose()


def _increment_in_thread(engine) -> tuple[threading.Thread, list]:
    outcome = []

    def increment():
        try:
            with engine.begin() as conn:
                conn.execute(text("UPDATE counter SET n = n + 1"))
            outcome.append(time.monotonic())
        except Exception as exc:  # noqa: BLE001  (asserted by the test)
            outcome.append(exc)
    thread = threading.Thread(target=increment)
    thread.start()
    return thread, outcome


def test_read_then_write_survives_a_commit_from_elsewhere(engine):
    """The FIELD_NOTES case: DEFERRED failed here at once with 'database is locked'."""
    with engine.begin() as conn:
        n = conn.execute(text("SELECT n FROM counter")).scalar()
        other, outcome = _increment_in_thread(engine)  # waits for our write lock
        time.sleep(0.3)
        conn.execute(text("UPDATE counter SET n = :n"), {"n": n + 10})
    other.join(timeout=15)
    assert not isinstance(outcome[0], Exception), outcome
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar() == 11


def test_a_get_request_reads_without_the_write_lock(engine):
    with Flask(__name__).test_request_context("/", method="GET"), engine.connect() as conn:
        conn.execute(text("SELECT n FROM counter")).scalar()
        started = time.monotonic()
        other, outcome = _increment_in_thread(engine)
        other.join(timeout=15)
    assert not isinstance(outcome[0], Exception), outcome
    assert outcome[0] - started < 2  # the writer did not wait for the reader


def test_a_writing_thread_reads_on_a_second_connection_without_waiting_for_itself(engine):
    with engine.begin() as writer:
        writer.execute(text("UPDATE counter SET n = 5"))
        started = time.monotonic()
        with engine.connect() as reader:  # e.g. the addon gate's poll during a POST
            assert reader.execute(text("SELECT n FROM counter")).scalar() == 0
        assert time.monotonic() - started < 2
