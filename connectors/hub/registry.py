"""What addons register with the hub: job handlers and status pullers.

A handler works in two phases so no database transaction stays open during
a remote call: `prepare(ctx)` reads our records and returns a neutral payload
(or raises `Skip`); `call(client, payload)` talks to the remote only and
returns an `Outcome`. The hub then writes the outcome's bindings and the job's
`done` in one transaction.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class Skip(Exception):
    """Nothing to send (e.g. the order was cancelled before it was synced):
    the job ends `done` with this reason as its result."""


@dataclass(frozen=True)
class Bind:
    """A binding to write. `attention`: None leaves the binding's as it is,
    "" clears it, a word (e.g. "totals_differ") flags it with `details`."""
    model: str
    record_id: int
    external_id: str
    external_number: str | None = None
    remote_state: str | None = None
    remote_state_label: str | None = None
    attention: str | None = None
    details: dict | None = None


@dataclass(frozen=True)
class Outcome:
    summary: str  # in words, shown on the job and the record
    remote_ref: str | None = None
    bindings: tuple[Bind, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Settled:
    """How a job ended, for its handler's `on_settled` (written with it)."""
    job_id: int
    kind: str
    record_id: int
    backend_id: int | None
    backend_name: str
    ok: bool  # done (True) or failed for good (False)
    text: str  # the outcome's summary, or the error


@dataclass(frozen=True)
class Handler:
    """`undo(client, payload, outcome) -> str` (optional) takes back a remote
    write whose outcome cannot be recorded (a binding clash: the remote record
    it used is bound to another of our records) and says in words what is
    left remotely; it runs with no transaction open, before the job fails.

    `on_settled(session, settled)` (optional) brings the record in step with
    how the job ended (done, or failed for good; not a retry), in the same
    transaction as the job's final state and its bindings."""
    kind: str  # e.g. "sales.order.push"
    model: str  # e.g. "sales.order"
    prepare: Callable[[Any], Any]  # (JobContext) -> payload
    call: Callable[[Any, Any], Outcome]  # (client, payload) -> Outcome
    undo: Callable[[Any, Any, Outcome], str] | None = None
    on_settled: Callable[[Any, Settled], None] | None = None


@dataclass(frozen=True)
class Puller:
    """Reads remote states back for bound records of `model`:
    `pull(client, external_ids) -> {external_id: object with .number, .state, .remote_state}`."""
    model: str
    pull: Callable[[Any, list[str]], dict]


_handlers: dict[str, Handler] = {}
_pullers: dict[str, Puller] = {}
_labellers: dict[str, Callable[[Any, list[int]], dict[int, str]]] = {}


def register_handler(handler: Handler) -> None:
    _handlers[handler.kind] = handler


def register_puller(puller: Puller) -> None:
    _pullers[puller.model] = puller


def register_labels(model: str, labels: Callable[[Any, list[int]], dict[int, str]]) -> None:
    """`labels(session, record_ids) -> {id: what people call it}` (an order's
    number), for the hub's log lines."""
    _labellers[model] = labels


def labels(session, model: str, record_ids: list[int]) -> dict[int, str]:
    labeller = _labellers.get(model)
    if labeller is None or not record_ids:
        return {}
    try:
        return labeller(session, record_ids)
    except Exception:  # noqa: BLE001 - a label is a nicety; the log line goes out without it
        return {}


def handler(kind: str) -> Handler:
    try:
        return _handlers[kind]
    except KeyError:
        raise LookupError(f"no handler registered for job kind {kind!r} "
                          "(is its addon importable?)") from None


def pullers() -> list[Puller]:
    return list(_pullers.values())
