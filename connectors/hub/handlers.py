"""The three shapes a handler takes, declared where it is defined:

    ORDER_PUSH = hub.Push(kind="sales.order.push", model="sales.order",
                          prepare=prepare_push, call=call_push, undo=undo_push)

- `Push`: a record goes out. `prepare(ctx)` reads our records and returns a
  neutral payload (or raises `Skip`); `call(client, payload)` talks to the
  remote only and returns an `Outcome`. The hub writes the outcome's bindings
  and the job's `done` in one transaction, so no database transaction stays
  open during a remote call.
- `Pull`: remote state comes back on a schedule for bound records.
- `Inbound`: the remote called us; the raw event was stored (`hub.receive`)
  and `process(session, event)` turns it into records later.
- `Every` (local work on a schedule) and `Watch` (a wait on a remote that
  runs scheduled work early) are the scheduler's.

A value is enqueued (`hub.enqueue(session, ORDER_PUSH, ...)`) and registered
(`hub.register(ORDER_PUSH, ...)`) as itself; the job row stores its `kind`,
which only the hub maps back (registry.py).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

INBOUND_MODEL = "hub.inbound_event"  # the model name of stored events on their jobs


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
    data: Any = None  # what the call brought back for on_settled to keep (files); not stored


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
    data: Any = None  # the outcome's data when done


@dataclass(frozen=True)
class Push:
    """A record of `model` sent to a backend by jobs of `kind`.

    `prepare(ctx: JobContext) -> payload`, `call(client, payload) -> Outcome`.
    `undo(client, payload, outcome) -> str` (optional) takes back a remote
    write whose outcome cannot be recorded (a binding clash: the remote record
    it used is bound to another of our records) and says in words what is
    left remotely; it runs with no transaction open, before the job fails.
    `on_settled(session, settled)` (optional) brings the record in step with
    how the job ended (done, or failed for good; not a retry), in the same
    transaction as the job's final state and its bindings; what `call`
    fetched for us to keep travels there as `Outcome.data` -> `Settled.data`."""
    kind: str  # e.g. "sales.order.push"; stored on the job row
    model: str  # e.g. "sales.order"
    prepare: Callable[[Any], Any]
    call: Callable[[Any, Any], Outcome]
    undo: Callable[[Any, Any, Outcome], str] | None = None
    on_settled: Callable[[Any, Settled], None] | None = None


@dataclass(frozen=True)
class Pull:
    """Remote states read back for the bound records of `model`, by the
    scheduler every `every_seconds` (None: the `hub_status_pull_seconds`
    setting). `pull(client, external_ids) -> {external_id: value}`; a value
    with `.number`, `.state`, `.remote_state` is kept on the binding.
    `apply(session, backend_id, [(record_id, value), ...]) -> int`, when
    given, writes the addon's own records from the values (an invoice's
    payments, the invoices an ERP made for an order) in the pull's
    transaction, committed with the bindings, and returns how many changed.
    The cursor is per binding: its `pulled_at`, oldest first, one batch per
    backend, model and round, which every pull of that model due in the round
    reads; a binding whose remote state is final ("done", "cancelled") is not
    asked about again."""
    kind: str  # e.g. "sales.order.states"
    model: str
    pull: Callable[[Any, list[str]], dict]
    every_seconds: float | None = None
    apply: Callable[[Any, int, list[tuple[int, Any]]], int] | None = None


@dataclass(frozen=True)
class Every:
    """Local work on a schedule, no remote: the elected scheduler (one process
    of the instance) runs `run(session) -> str | None` every `every_seconds`
    while its addon is active, then commits; it says in words what it did.
    An error is logged, rolled back and tried at the next interval. Make it
    idempotent: a crash between its writes and the commit runs it again."""
    kind: str  # e.g. "invoicing.overdue_reminders"
    run: Callable[[Any], str | None]
    every_seconds: float = 3600


@dataclass(frozen=True)
class Watch:
    """A wait on a remote that hastens scheduled work (IMAP IDLE: a new mail
    polled now, not at the next round). The elected scheduler runs
    `watch(app, stop)` in a thread of its own while it is elected and the
    addon active, so one process of the instance watches; it sets `stop` (a
    `threading.Event`) when it steps down or stops, and `watch` returns
    soon after. A watch only triggers work its addon's schedule does anyway
    (same code, same leases): a missed signal costs time, never data. One
    that ends early (an error: logged) is started again a minute later."""
    kind: str  # e.g. "mail_gateway.idle"
    watch: Callable[[Any, Any], None]


@dataclass(frozen=True)
class Inbound:
    """Events a remote sent us from `source` (a webhook, a notification, a
    mail), stored raw by `hub.receive` and processed after commit by a job:
    `process(session, event) -> str | None` writes our records in the hub's
    transaction (committed with the job's `done`) and says in words what it
    did. Errors as in a push: `TransientError` retries with backoff,
    `PermanentError` (or a bug) fails the job with the reason."""
    source: str  # e.g. "tryton.webhook"; unique with the event's external id
    process: Callable[[Any, Any], str | None]

    @property
    def kind(self) -> str:
        """The job kind of this source's events."""
        return f"inbound.{self.source}"

    @property
    def model(self) -> str:
        return INBOUND_MODEL  # the job's record is the stored event
