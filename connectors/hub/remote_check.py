"""On-demand checks an addon runs against a backend (e.g. `crossdock sales
erp-check`): read bound records from the remote now, through the model's
registered `hub.Pull`, and flag or clear a binding's `attention`; or ask the
remote something else through its client (`call_remote`: a reconciliation's
listing)."""
from __future__ import annotations

import json

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import registry
from .clients import backend_config, client_for
from .models import Backend, Binding


def bound(session: Session, backend_id: int, model: str, record_ids) -> dict[int, str]:
    """{record id: external id} of those records bound on the backend."""
    ids = list(record_ids)
    if not ids:
        return {}
    return dict(session.execute(select(Binding.record_id, Binding.external_id).where(
        Binding.backend_id == backend_id, Binding.model == model,
        Binding.record_id.in_(ids))).all())


def read_remote(session: Session, backend_id: int, model: str, external_ids: list[str]) -> dict:
    """{external id: what the remote holds} through `model`'s `hub.Pull`; the
    caller's transaction is ended first (none is open during the remote call)."""
    puller = registry.pull_for(model)
    config = backend_config(session.get(Backend, backend_id))
    session.rollback()
    return puller.pull(client_for(config), external_ids) if external_ids else {}


def call_remote(session: Session, backend_id: int, call):
    """`call(client)` on the backend's client, the caller's transaction ended
    first; what it returns (e.g. a generator of pages, read as it is iterated)."""
    config = backend_config(session.get(Backend, backend_id))
    session.rollback()
    return call(client_for(config))


def flag(session: Session, backend_id: int, model: str, record_id: int, attention: str | None,
         details: dict | None = None) -> bool:
    """Set (or clear, with None) the binding's attention; True if it changed."""
    values = {"attention": attention,
              "details_json": json.dumps(details, ensure_ascii=False)
              if attention and details else None}
    return session.execute(update(Binding).where(
        Binding.backend_id == backend_id, Binding.model == model,
        Binding.record_id == record_id,
        Binding.attention.is_distinct_from(attention)
        | Binding.details_json.is_distinct_from(values["details_json"]))
        .values(**values).execution_options(synchronize_session=False)).rowcount == 1
