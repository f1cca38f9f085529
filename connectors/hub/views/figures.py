"""The sync dashboard's figures, read from the job table (also what /metrics
exports): jobs per state and backend, and per kind (an order's push beside
an invoice's), the last hour's throughput per
5-minute bucket and its latency (creation to finish), the backlog and the
oldest waiting job, the failed jobs, and the bindings that need attention
(e.g. "totals_differ", with both figures; `ix_hub_binding_attention`).

Every query is narrowed by an index of `hub_job` (see models.py): the last
hour by `ix_hub_job_finished`, waiting and failed jobs by
`ix_hub_job_state_next`; the per-state counts group the whole table, which
is bounded by the clean-up of old done jobs (`hub_keep_done_days`).
Percentiles are computed here in Python from the last hour's rows, so the
same code serves SQLite and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (CANCELLED, DONE, FAILED, PENDING, QUEUED, STATES, Backend, Binding,
                      SyncJob, utcnow)

WINDOW = dt.timedelta(hours=1)
BUCKET = dt.timedelta(minutes=5)
BACKLOG_STATES = (PENDING, QUEUED)
OUTCOMES = (DONE, FAILED, CANCELLED)
FAILED_SHOWN = 100  # the dashboard lists the newest failures, not all of them
ATTENTION_SHOWN = 200


@dataclass(frozen=True)
class JobFilter:
    backend_id: int | None = None
    kind: str | None = None
    attention: str | None = None  # narrows the bindings that need attention

    def apply(self, stmt):
        if self.backend_id is not None:
            stmt = stmt.where(SyncJob.backend_id == self.backend_id)
        if self.kind:
            stmt = stmt.where(SyncJob.kind == self.kind)
        return stmt


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least q of the
    values at or below it (None when there are none)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def backend_names(session: Session) -> dict[int | None, str]:
    names: dict[int | None, str] = {b.id: b.name for b in session.execute(
        select(Backend.id, Backend.name))}
    names[None] = "-"  # jobs that talk to no backend
    return names


def counts_by_backend_and_kind(session: Session, flt: JobFilter
                               ) -> dict[tuple[int | None, str], dict[str, int]]:
    """{(backend_id, kind): {state: count}} with every state present (zeros included)."""
    rows = session.execute(flt.apply(
        select(SyncJob.backend_id, SyncJob.kind, SyncJob.state, func.count())
        .group_by(SyncJob.backend_id, SyncJob.kind, SyncJob.state)))
    out: dict[tuple[int | None, str], dict[str, int]] = {}
    for backend_id, kind, state, n in rows:
        out.setdefault((backend_id, kind), dict.fromkeys(STATES, 0))[state] = n
    return out


def summed_by(counts: dict[tuple, dict[str, int]], part: int) -> dict:
    """The counts added up per one part of their key (0: backend, 1: kind)."""
    out: dict = {}
    for key, states in counts.items():
        total = out.setdefault(key[part], dict.fromkeys(STATES, 0))
        for state, n in states.items():
            total[state] += n
    return out


def counts_by_state(session: Session, flt: JobFilter) -> dict[int | None, dict[str, int]]:
    """{backend_id: {state: count}} with every state present (zeros included)."""
    return summed_by(counts_by_backend_and_kind(session, flt), 0)


def finished_since(session: Session, flt: JobFilter, since: dt.datetime) -> list:
    """(backend_id, state, created_at, finished_at) of jobs finished since then."""
    return session.execute(flt.apply(
        select(SyncJob.backend_id, SyncJob.state, SyncJob.created_at, SyncJob.finished_at)
        .where(SyncJob.finished_at >= since))).all()


def backlog(session: Session, flt: JobFilter) -> dict[int | None, int]:
    return dict(session.execute(flt.apply(
        select(SyncJob.backend_id, func.count()).where(SyncJob.state.in_(BACKLOG_STATES))
        .group_by(SyncJob.backend_id))).all())


def oldest_waiting(session: Session, flt: JobFilter) -> dt.datetime | None:
    return session.scalar(flt.apply(
        select(func.min(SyncJob.created_at)).where(SyncJob.state.in_(BACKLOG_STATES))))


def failed_jobs(session: Session, flt: JobFilter, limit: int = FAILED_SHOWN) -> list[SyncJob]:
    return list(session.scalars(flt.apply(
        select(SyncJob).where(SyncJob.state == FAILED).order_by(SyncJob.id.desc())
        .limit(limit))))


def attention_counts(session: Session) -> dict[tuple[int, str], int]:
    """{(backend_id, attention): bindings} for every flagged binding."""
    return {(b, a): n for b, a, n in session.execute(
        select(Binding.backend_id, Binding.attention, func.count())
        .where(Binding.attention.is_not(None))
        .group_by(Binding.backend_id, Binding.attention))}


def needing_attention(session: Session, flt: JobFilter,
                      limit: int = ATTENTION_SHOWN) -> list[Binding]:
    stmt = select(Binding).where(Binding.attention.is_not(None))
    if flt.attention:
        stmt = stmt.where(Binding.attention == flt.attention)
    if flt.backend_id is not None:
        stmt = stmt.where(Binding.backend_id == flt.backend_id)
    return list(session.scalars(stmt.order_by(Binding.synced_at.desc()).limit(limit)))


def dashboard(session: Session, flt: JobFilter, now: dt.datetime | None = None) -> dict:
    """Everything the dashboard shows, as JSON-ready values (seconds as floats)."""
    now = now or utcnow()
    since = now - WINDOW
    names = backend_names(session)
    # one query for both tables: order pushes beside invoice pushes, per backend
    counts = counts_by_backend_and_kind(session, flt)
    per_state, per_kind = summed_by(counts, 0), summed_by(counts, 1)
    finished = finished_since(session, flt, since)
    buckets = [{"start": (since + i * BUCKET).isoformat(timespec="minutes"), "done": 0}
               for i in range(int(WINDOW / BUCKET))]
    latencies: list[float] = []
    outcomes: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
    for _backend_id, state, created_at, finished_at in finished:
        if state in outcomes:
            outcomes[state] += 1
        if state != DONE:
            continue
        index = min(int((finished_at - since) / BUCKET), len(buckets) - 1)
        buckets[index]["done"] += 1
        latencies.append((finished_at - created_at).total_seconds())
    latencies.sort()
    # from the same counts as the per-backend states: one response's figures agree
    # even while workers move jobs (on PostgreSQL each statement sees newer rows)
    waiting = {b: n for b, n in ((b, sum(s[st] for st in BACKLOG_STATES))
                                 for b, s in per_state.items()) if n}
    oldest = oldest_waiting(session, flt)
    return {
        "as_of": now.isoformat(timespec="seconds"),
        "filter": {"backend": flt.backend_id, "kind": flt.kind},
        "states": list(STATES),
        "per_backend": [{"backend_id": b, "backend": names.get(b, str(b)), "states": s,
                         "total": sum(s.values())}
                        for b, s in sorted(per_state.items(), key=lambda i: names.get(i[0], ""))],
        "per_kind": [{"kind": k, "states": s, "total": sum(s.values())}
                     for k, s in sorted(per_kind.items())],
        "last_hour": {"buckets": buckets, "done": sum(b["done"] for b in buckets),
                      "outcomes": outcomes,
                      "latency_p50": percentile(latencies, 0.5),
                      "latency_p95": percentile(latencies, 0.95)},
        "backlog": {"total": sum(waiting.values()),
                    "per_backend": {names.get(b, str(b)): n for b, n in waiting.items()},
                    "oldest_created_at": oldest.isoformat(timespec="seconds") if oldest else None,
                    "oldest_age_seconds": (now - oldest).total_seconds() if oldest else None},
        "failed": [{"id": j.id, "kind": j.kind, "record": f"{j.model}:{j.record_id}",
                    "backend": names.get(j.backend_id, str(j.backend_id)),
                    "attempts": j.attempts, "last_error": j.last_error,
                    "finished_at": j.finished_at.isoformat(timespec="seconds")
                    if j.finished_at else None}
                   for j in failed_jobs(session, flt)],
        "attention": [{"backend": names.get(b.backend_id, str(b.backend_id)),
                       "record": f"{b.model}:{b.record_id}", "model": b.model,
                       "record_id": b.record_id, "external_number": b.external_number,
                       "external_id": b.external_id, "attention": b.attention,
                       "details": b.details,
                       "synced_at": b.synced_at.isoformat(timespec="seconds")}
                      for b in needing_attention(session, flt)],
    }
