"""The backend row a webhook or a job is about, found through the hub's API."""
from __future__ import annotations

from connectors import hub
from connectors.errors import PermanentError


def active_backend(session, kind: str, backend_id: int):
    """The active backend of `kind` with this id, or None."""
    return next((b for b in hub.active_backends(session, (kind,)) if b.id == backend_id), None)


def backend_for_event(session, kind: str, backend_id: int):
    """The event's backend, or PermanentError: it was deactivated or removed
    after the event came (activate it again, then retry the job)."""
    backend = active_backend(session, kind, backend_id)
    if backend is None:
        raise PermanentError(f"the {kind} backend #{backend_id} is inactive or gone: "
                             "activate it, then retry")
    return backend
