"""The instance's secret key is made once, even when several processes start
together on a new instance (gunicorn's workers did not all boot: the second
one's exclusive create failed)."""
from __future__ import annotations

import multiprocessing

from core.config import _read_or_create_secret


def _start(args):
    folder, barrier = args
    barrier.wait()  # all at once
    return _read_or_create_secret(folder / "secret_key")


def test_processes_starting_together_share_one_key(tmp_path):
    ctx = multiprocessing.get_context("fork")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(8)
        with ctx.Pool(8) as pool:
            keys = pool.map(_start, [(tmp_path, barrier)] * 8)
    assert len(set(keys)) == 1 and len(keys[0]) >= 48
    assert (tmp_path / "secret_key").read_text() == keys[0]
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no leftovers
    assert _read_or_create_secret(tmp_path / "secret_key") == keys[0]  # and it stays
