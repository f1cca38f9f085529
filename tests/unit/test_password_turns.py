"""Password checks take turns: with one slot, two logins at once hash one
after the other (the second waits); with two slots they overlap. The lock is
a file lock, so what holds for two threads here holds for two processes."""
from __future__ import annotations

import threading
import time

import pytest
from flask import Flask

from core.security import password_turns


def _overlap(tmp_path, slots: int) -> int:
    app = Flask("turns")
    password_turns.install(app, tmp_path, slots=slots)
    running, most, lock = [0], [0], threading.Lock()

    def slow_check(pwhash, password):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.2)
        with lock:
            running[0] -= 1
        return True

    def login():
        with app.app_context():
            assert password_turns.checked_in_turn("h", "p")

    original = password_turns.check_password_hash
    password_turns.check_password_hash = slow_check
    try:
        threads = [threading.Thread(target=login) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
    finally:
        password_turns.check_password_hash = original
    return most[0]


@pytest.mark.parametrize("slots", [1, 2])
def test_at_most_slots_password_checks_run_at_once(tmp_path, slots):
    assert _overlap(tmp_path, slots) == slots


def test_a_real_hash_is_still_checked(tmp_path):
    from werkzeug.security import generate_password_hash

    app = Flask("turns")
    password_turns.install(app, tmp_path, slots=1)
    stored = generate_password_hash("Right-pass-1", method="pbkdf2:sha256:1000")
    with app.app_context():
        assert password_turns.checked_in_turn(stored, "Right-pass-1")
        assert not password_turns.checked_in_turn(stored, "wrong")
