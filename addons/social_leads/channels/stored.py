"""What a channel stores with `hub.receive` and reads back in its job."""
from __future__ import annotations

import datetime as dt
import hashlib

from connectors import hub
from connectors.errors import PermanentError


def keep_unreadable(session, source: str, backend_id: int, body: bytes, why: str) -> None:
    """A signed body we cannot read: kept (once per body), its job fails with
    `why`, to be replayed after a fix."""
    hub.receive(session, source, "unreadable:" + hashlib.sha256(body).hexdigest(),
                {"backend_id": backend_id, "raw": body.decode("utf-8", "replace"),
                 "unreadable": why})


def read(event) -> dict:
    """The stored payload; PermanentError with the reason for an unreadable one."""
    data = event.json()
    if data.get("unreadable"):
        raise PermanentError(f"the platform's request could not be read: {data['unreadable']}")
    return data


def utc(epoch_seconds: float) -> dt.datetime:
    """Naive UTC, as IncomingLead.received_at is."""
    return dt.datetime.fromtimestamp(epoch_seconds, dt.timezone.utc).replace(tzinfo=None)
