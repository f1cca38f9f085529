"""The integration hub: sync jobs written with the business change, run by
Dramatiq, recorded in our database (see ARCHITECTURE.md, "The integration
hub", and connectors/README.md). This module is all an addon imports from it;
the hub's tables (models.py) are its own.

Declare (where the handler is defined) and register (in the addon's `register()`):
- `Push(kind, model, prepare, call, undo=None, on_settled=None)`: a record goes out;
- `Pull(kind, model, pull, every_seconds=None)`: remote states come back;
- `Inbound(source, process)`: an event a remote sent us is processed;
- `Every(kind, run, every_seconds)`: local work on a schedule (no remote);
- `Watch(kind, watch)`: a wait on a remote, in the elected scheduler, that runs
  scheduled work early (IMAP IDLE);
- `register(*handlers)`; `register_labels(model, labels)` names records in logs.
Act, inside the business transaction:
- `enqueue(session, PUSH, record_id, backend_id, serial_key=..., retry_failed=...)`;
- `receive(session, source, external_id, payload)`: store an event raw, once;
  `stored_payload(session, event_id)` reads it back, `events_mentioning(session,
  sources, needles)` finds those holding a person's e-mail or id, `erase_payload(session,
  event_id, replacement)` overwrites one (a person's data erased);
- `bind(session, backend_id, *binds)`: bindings for records a pull's `apply` made;
- `pull_now(session, *pulls)`: run pulls now, outside the schedule (on demand).
Read, to show sync state:
- `active_backends(session, kinds)`, `jobs_for` / `bindings_for(session, model, ids)`,
  `sync_states(session, model, ids)` (both, batched, for lists),
  `records_known_to(...)` for what a backend has not seen yet, `waiting_for(session, job)`
  (`waiting_for_each(session, jobs)`, batched) for the job a waiting one is behind;
- `records_bound(session, backend_id, model, external_ids)`: our ids of remote records;
- `bound`, `read_remote`, `flag` for an on-demand check of bound records (remote_check.py),
  `call_remote(session, backend_id, call)` for any other question to a backend's client,
  `client_of(backend)`: the client itself (built from the row, talking to nobody yet);
- `bound_select(backend_id, model)`: a SELECT of (record id, external id) to join.
What handlers use: `Outcome`, `Bind`, `Skip`, `Settled`.
"""
from .bindings import bind
from .clients import client_of
from .enqueue import enqueue
from .handlers import Bind, Every, Inbound, Outcome, Pull, Push, Settled, Skip, Watch
from .inbound import erase_payload, events_mentioning, receive, stored_payload
from .lookup import (SyncState, active_backends, bindings_for, bound_select, jobs_for,
                     records_bound, records_known_to, sync_states, waiting_for,
                     waiting_for_each)
from .registry import register, register_labels
from .status_pull import pull_now
from .remote_check import bound, call_remote, flag, read_remote

__all__ = ["Bind", "Every", "Inbound", "Outcome", "Pull", "Push", "Settled", "Skip", "SyncState",
           "Watch",
           "active_backends", "bind", "bindings_for", "bound", "bound_select", "call_remote",
           "client_of", "enqueue", "erase_payload", "events_mentioning", "flag", "jobs_for",
           "pull_now", "read_remote", "receive", "records_bound", "records_known_to",
           "register", "register_labels", "stored_payload", "sync_states", "waiting_for",
           "waiting_for_each"]
