"""Status pull (`hub.Pull`): read remote states back for bound records (e.g.
an ERP order delivered or invoiced) and keep them on the bindings,
oldest-read first (a binding's `pulled_at` is the cursor)."""
from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.errors import RemoteError

from . import registry
from .clients import backend_config, client_for
from .handlers import Pull
from .models import Backend, Binding, utcnow

log = logging.getLogger(__name__)
FINAL_STATES = ("done", "cancelled")
BATCH = 200


def pull_states(session: Session, pulls: list[Pull] | None = None) -> dict[str, int]:
    """One pass over every active backend and the given (default: every
    registered) `hub.Pull`; returns {backend name: bindings updated}. A remote
    that fails is logged and tried again at the next pass."""
    updated: dict[str, int] = {}
    backends = session.scalars(select(Backend).where(Backend.active.is_(True))).all()
    for backend in backends:
        config = backend_config(backend)
        name = backend.name
        for puller in registry.pulls() if pulls is None else pulls:
            rows = session.scalars(select(Binding).where(
                Binding.backend_id == config["id"], Binding.model == puller.model,
                Binding.remote_state.is_(None) | Binding.remote_state.not_in(FINAL_STATES))
                .order_by(Binding.pulled_at.is_not(None), Binding.pulled_at).limit(BATCH)).all()
            if not rows:
                continue
            ids = [row.external_id for row in rows]
            session.rollback()  # no transaction open during the remote call
            try:
                states = puller.pull(client_for(config), ids)
            except RemoteError as exc:
                log.warning("status pull from %s failed: %s", name, exc)
                continue
            now = utcnow()
            count = 0
            for row in session.scalars(select(Binding).where(
                    Binding.backend_id == config["id"], Binding.model == puller.model,
                    Binding.external_id.in_(ids))):
                remote = states.get(row.external_id)
                row.pulled_at = now
                if remote is not None and (remote.state, remote.number) != (
                        row.remote_state, row.external_number):
                    row.remote_state, row.remote_state_label = remote.state, remote.remote_state
                    row.external_number = remote.number or row.external_number
                    count += 1
            session.commit()
            updated[name] = updated.get(name, 0) + count
    return updated
