"""Which module defined each table, so an addon owns exactly its own tables.

An addon's uninstall backs up and drops its tables; the loader cannot learn
them from what importing the addon added to the metadata, because a test, a
script or another addon may have imported its models first. So the module that
created each table is recorded when the table joins the metadata (the first
frame above SQLAlchemy: the module whose class body or `Table(...)` call
made it). `core/__init__.py` installs this before any addon's code can run.
"""
from __future__ import annotations

import sys

from sqlalchemy import MetaData, Table, event

_LIBRARIES = ("sqlalchemy.", "flask_sqlalchemy.", "typing", __name__)
_KEY = "crossdock_defined_in"


@event.listens_for(Table, "after_parent_attach")
def _remember_definer(table: Table, parent) -> None:
    if not isinstance(parent, MetaData) or _KEY in table.info:
        return
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if not name.startswith(_LIBRARIES):
            table.info[_KEY] = name
            return
        frame = frame.f_back


def defined_in(table: Table) -> str | None:
    return table.info.get(_KEY)
