"""Password checks take turns across the machine's web processes.

A login costs one scrypt key derivation on purpose (werkzeug's default,
N=2^15, r=8: ~0.1 s of CPU and 32 MiB, so that a stolen hash is slow to
guess). A burst of logins, the morning rush or someone guessing passwords,
would otherwise run one derivation per web thread at once and take every
core from the pages being served. Here each check first takes one of a few
slots shared by every process of the instance (`flock` on files in the
instance folder): at most `slots` derivations run at a time, the rest wait
their turn, and the other cores keep serving pages. Slots: half the cores,
at least one.
"""
from __future__ import annotations

import fcntl
import os
import random
from contextlib import contextmanager
from pathlib import Path

import flask_appbuilder.security.manager as fab_manager
from flask import Flask, current_app, has_app_context
from werkzeug.security import check_password_hash

_KEY = "crossdock_password_turns"


@contextmanager
def turn():
    """Hold one of the instance's slots for the length of the block."""
    folder, slots = current_app.extensions.get(_KEY, (None, 0)) if has_app_context() \
        else (None, 0)
    if folder is None:
        yield
        return
    paths = [folder / f"password-check-{n}.lock" for n in range(slots)]
    handle = None
    for path in paths:  # a free slot if there is one
        fh = open(path, "a")  # noqa: SIM115 (held past this loop)
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            handle = fh
            break
        except BlockingIOError:
            fh.close()
    if handle is None:  # all busy: wait for one
        handle = open(random.choice(paths), "a")  # noqa: SIM115
        fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        yield
    finally:
        handle.close()  # closing releases the lock


def checked_in_turn(pwhash: str, password: str) -> bool:
    with turn():
        return check_password_hash(pwhash, password)


def install(app: Flask, instance_path: Path, slots: int | None = None) -> None:
    """FAB's login checks go through `checked_in_turn` (it calls the function
    it imported from werkzeug, so that name is the one to replace)."""
    slots = slots if slots is not None else (os.cpu_count() or 2) // 2
    app.extensions[_KEY] = (Path(instance_path), max(1, slots))
    fab_manager.check_password_hash = checked_in_turn
