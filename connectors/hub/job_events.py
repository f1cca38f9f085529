"""Things that happen to jobs besides running: retries, lease expiries,
re-sends and recoveries. Each is logged (one line per job: the job, its
record and the reason) and counted per backend in `hub_event_count`, in the
transaction that does it, for /metrics (`crossdock_hub_events_total`).
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from . import registry
from .models import EventCount, SyncJob, utcnow

log = logging.getLogger("connectors.hub")
RETRY, LEASE_EXPIRED, RESENT, RECOVERED = "retry", "lease_expired", "resent", "recovered"
EVENTS = (RETRY, LEASE_EXPIRED, RESENT, RECOVERED)
_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


@dataclass(frozen=True)
class JobRef:
    id: int
    kind: str
    model: str
    record_id: int
    backend_id: int | None
    label: str = ""  # what people call the record (an order number), when known

    def __str__(self) -> str:
        label = f" ({self.label})" if self.label else ""
        return f"job #{self.id} {self.kind} {self.model}:{self.record_id}{label}"


def refs(session: Session, job_ids) -> list[JobRef]:
    """The jobs, with their records' labels (registry.register_labels)."""
    ids = list(job_ids)
    if not ids:
        return []
    rows = session.execute(select(
        SyncJob.id, SyncJob.kind, SyncJob.model, SyncJob.record_id, SyncJob.backend_id)
        .where(SyncJob.id.in_(ids)).order_by(SyncJob.id)).all()
    labels: dict[tuple[str, int], str] = {}
    for model in {row.model for row in rows}:
        for record_id, label in registry.labels(
                session, model, [row.record_id for row in rows if row.model == model]).items():
            labels[model, record_id] = label
    return [JobRef(*row, label=labels.get((row.model, row.record_id), "")) for row in rows]


def record(session: Session, event: str, jobs: list[JobRef], reason: str) -> None:
    """Log one line per job and add to the counts (no commit)."""
    for job in jobs:
        log.warning("hub: %s %s: %s", event.replace("_", " "), job, reason)
    now = utcnow()
    insert = _INSERTS[session.get_bind().dialect.name]
    for backend_id, n in Counter(job.backend_id or 0 for job in jobs).items():
        session.execute(insert(EventCount).values(
            event=event, backend_id=backend_id, count=n, updated_at=now)
            .on_conflict_do_update(index_elements=[EventCount.event, EventCount.backend_id],
                                   set_={"count": EventCount.count + n, "updated_at": now}))


def totals(session: Session) -> list[tuple[str, int, int]]:
    """(event, backend id or 0, count) of every counted event."""
    return list(session.execute(select(EventCount.event, EventCount.backend_id,
                                       EventCount.count).order_by(EventCount.event,
                                                                  EventCount.backend_id)))
