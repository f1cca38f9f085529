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
ROUND_BATCHES = 100  # a round reads at most BATCH x this many bindings per backend and model


def pull_now(session: Session, *pulls: Pull) -> dict[str, int]:
    """Run `pulls` now, outside the schedule (a command's "refresh")."""
    return pull_states(session, list(pulls))


def pull_states(session: Session, pulls: list[Pull] | None = None) -> dict[str, int]:
    """One round over every active backend and the given (default: every
    registered) `hub.Pull`: batch after batch until every binding was read in
    this round (up to ROUND_BATCHES batches: 20,000 invoices' payments in one
    round, not 200 per round); returns {backend name: bindings and records
    updated}. A remote that fails is logged and tried again at the next round."""
    updated: dict[str, int] = {}
    by_model: dict[str, list[Pull]] = {}
    for puller in registry.pulls() if pulls is None else pulls:
        by_model.setdefault(puller.model, []).append(puller)
    round_start = utcnow()
    backends = session.scalars(select(Backend).where(Backend.active.is_(True))).all()
    for backend in backends:
        config, name = backend_config(backend), backend.name
        for model, pullers in by_model.items():
            for _ in range(ROUND_BATCHES):
                count = _pull_batch(session, config, name, model, pullers, round_start)
                if count is None:
                    break
                updated[name] = updated.get(name, 0) + count
    return updated


def _pull_batch(session: Session, config: dict, name: str, model: str,
                pullers: list[Pull], round_start) -> int | None:
    """The oldest-read batch of `model`'s bindings on one backend not read
    since `round_start`, through each pull; None when there was nothing to
    read or the remote failed every pull (the round moves on)."""
    rows = session.scalars(select(Binding).where(
        Binding.backend_id == config["id"], Binding.model == model,
        Binding.remote_state.is_(None) | Binding.remote_state.not_in(FINAL_STATES),
        Binding.pulled_at.is_(None) | (Binding.pulled_at < round_start))
        .order_by(Binding.pulled_at.is_not(None), Binding.pulled_at).limit(BATCH)).all()
    if not rows:
        return None
    ids = [row.external_id for row in rows]
    session.rollback()  # no transaction open during the remote calls
    answers = []
    for puller in pullers:
        try:
            answers.append((puller, puller.pull(client_for(config), ids)))
        except RemoteError as exc:
            log.warning("%s from %s failed: %s", puller.kind, name, exc)
    if not answers:
        return None
    now = utcnow()
    count = 0
    bound = session.scalars(select(Binding).where(
        Binding.backend_id == config["id"], Binding.model == model,
        Binding.external_id.in_(ids))).all()
    for puller, states in answers:
        for row in bound:
            remote = states.get(row.external_id)
            if hasattr(remote, "state") and (remote.state, remote.number) != (
                    row.remote_state, row.external_number):
                row.remote_state, row.remote_state_label = remote.state, remote.remote_state
                row.external_number = remote.number or row.external_number
                count += 1
        if puller.apply is not None:
            found = [(row.record_id, states[row.external_id]) for row in bound
                     if row.external_id in states]
            if found:
                count += puller.apply(session, config["id"], found) or 0
    for row in bound:
        row.pulled_at = now
    session.commit()
    return count
