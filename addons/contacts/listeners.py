"""Every session listener of the contacts addon, registered here and nowhere else.

The addon's register() calls `register()` once per app; the app factory runs
many times in one process (tests), so registering is idempotent. Nothing
registers on import.
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from .services.search.index import reindex_after_flush

# (target, event, listener, what it enforces): one line per listener
LISTENERS = (
    (Session, "after_flush", reindex_after_flush,
     "the search index follows every ORM write to a contact's name, owner, team, phones, e-mails"),
)


def register() -> None:
    """Install each listener of LISTENERS unless it is installed already."""
    for target, name, listener, _enforces in LISTENERS:
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)
