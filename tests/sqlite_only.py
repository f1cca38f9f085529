"""For test modules about a protocol through the hub, not the storage (the
storage's part is tested on both databases elsewhere): import the fixture
and the module runs on SQLite only, on a copy of the worker's template with
its addons installed.

    from tests.sqlite_only import sqlite_database_url  # noqa: F401
"""
from __future__ import annotations

import shutil

import pytest

from core.testing.plugin import addons_wanted


@pytest.fixture(name="database_url")
def sqlite_database_url(request, tmp_path, sqlite_templates):
    path = tmp_path / "crossdock.sqlite"
    shutil.copyfile(sqlite_templates.get(addons_wanted(request)), path)
    return f"sqlite:///{path}"
