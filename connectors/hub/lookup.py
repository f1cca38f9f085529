"""Read-side helpers for addons: which backends are active, and records'
jobs and bindings (for badges and panels on their pages and lists)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from .models import PENDING, QUEUED, WAITING_STATES, Backend, Binding, SyncJob


def active_backends(session: Session, kinds: tuple[str, ...]) -> list[Backend]:
    return list(session.scalars(select(Backend).where(
        Backend.active.is_(True), Backend.kind.in_(kinds)).order_by(Backend.id)))


def jobs_for(session: Session, model: str, record_ids: list[int]) -> list[SyncJob]:
    if not record_ids:
        return []
    return list(session.scalars(select(SyncJob).where(
        SyncJob.model == model, SyncJob.record_id.in_(record_ids)).order_by(SyncJob.id)))


def bindings_for(session: Session, model: str, record_ids: list[int]) -> list[Binding]:
    if not record_ids:
        return []
    return list(session.scalars(select(Binding).where(
        Binding.model == model, Binding.record_id.in_(record_ids)).order_by(Binding.id)))


@dataclass
class SyncState:
    """A record's jobs and bindings, each ordered by id (the last job is the latest)."""
    jobs: list[SyncJob] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)


def records_bound(session: Session, backend_id: int, model: str,
                  external_ids) -> dict[str, int]:
    """{external id: our record id} for the remote records of `model` a backend
    has bound to ours (what a pull that makes records looks up first)."""
    ids = list(dict.fromkeys(external_ids))
    if not ids:
        return {}
    return dict(session.execute(select(Binding.external_id, Binding.record_id).where(
        Binding.backend_id == backend_id, Binding.model == model,
        Binding.external_id.in_(ids))).all())


def bound_select(backend_id: int, model: str):
    """A SELECT of (record_id, external_id) of a backend's bindings of `model`,
    to join with one's own rows (a reconciliation reads both in one query)."""
    return select(Binding.record_id, Binding.external_id).where(
        Binding.backend_id == backend_id, Binding.model == model)


def sync_states(session: Session, model: str, record_ids) -> dict[int, SyncState]:
    """{record id: its SyncState} for many records in two queries (a list
    page's rows); every id asked for is in the answer."""
    ids = list(dict.fromkeys(record_ids))
    states = {record_id: SyncState() for record_id in ids}
    for job in jobs_for(session, model, ids):
        states[job.record_id].jobs.append(job)
    for binding in bindings_for(session, model, ids):
        states[binding.record_id].bindings.append(binding)
    return states


def records_known_to(backend_id: int, kind: str, model: str):
    """A SELECT of the ids of `model` records a backend has seen: a job of
    `kind` for it, or a binding (for `... .not_in(records_known_to(...))`)."""
    return union(
        select(SyncJob.record_id).where(SyncJob.kind == kind, SyncJob.backend_id == backend_id),
        select(Binding.record_id).where(Binding.model == model,
                                        Binding.backend_id == backend_id))


def waiting_for(session: Session, job: SyncJob) -> SyncJob | None:
    """The earlier unfinished job with `job`'s serial key that it waits behind
    (e.g. another order of the same customer), or None."""
    if job.state not in (PENDING, QUEUED):
        return None
    return session.scalars(select(SyncJob).where(
        SyncJob.record_key == job.record_key, SyncJob.id < job.id,
        SyncJob.state.in_(WAITING_STATES)).order_by(SyncJob.id).limit(1)).first()


def waiting_for_each(session: Session, jobs) -> dict[int, SyncJob]:
    """`waiting_for` of many jobs in two queries: {job id: the job it waits
    behind}, for those that wait."""
    waiting = [job for job in jobs if job.state in (PENDING, QUEUED)]
    if not waiting:
        return {}
    first_ids = session.execute(select(SyncJob.record_key, func.min(SyncJob.id)).where(
        SyncJob.record_key.in_({job.record_key for job in waiting}),
        SyncJob.state.in_(WAITING_STATES)).group_by(SyncJob.record_key)).all()
    firsts = {job.record_key: job for job in session.scalars(select(SyncJob).where(
        SyncJob.id.in_([first_id for _, first_id in first_ids])))}
    return {job.id: firsts[job.record_key] for job in waiting
            if job.record_key in firsts and firsts[job.record_key].id < job.id}
