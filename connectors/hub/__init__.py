"""The integration hub: sync jobs written with the business change, run by
Dramatiq, recorded in our database (see ARCHITECTURE.md, "The integration hub").

What addons use:
- `register_handler(Handler(kind, model, prepare, call))` at import time;
- `enqueue(session, kind, record_id, backend_id)` inside the business transaction;
- `register_puller(Puller(model, pull))` for status pulls;
- `active_backends(session, kinds)`, `jobs_for(session, model, record_id)`,
  `bindings_for(...)` to show sync state on a record, `records_known_to(...)`
  for what a backend has not seen yet, `waiting_for(session, job)` for the
  job a waiting one is behind;
- `bound`, `read_remote`, `flag` for an on-demand check of bound records
  (remote_check.py).
"""
from .enqueue import enqueue
from .lookup import active_backends, bindings_for, jobs_for, records_known_to, waiting_for
from .registry import (Bind, Handler, Outcome, Puller, Settled, Skip, register_handler,
                       register_labels, register_puller)
from .remote_check import bound, flag, read_remote

__all__ = ["Bind", "Handler", "Outcome", "Puller", "Settled", "Skip", "active_backends",
           "bindings_for",
           "bound", "enqueue", "flag", "jobs_for", "read_remote", "records_known_to",
           "register_handler", "register_labels", "register_puller", "waiting_for"]
