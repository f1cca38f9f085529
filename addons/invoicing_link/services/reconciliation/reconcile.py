"""The reconciliation of one backend over a period, as the screen and
`crossdock invoicing_link reconcile` run it: our rows (one select), then the
remote's pages with no transaction open, compared as they arrive."""
from __future__ import annotations

import time
from datetime import date

from flask_babel import gettext
from sqlalchemy.orm import Session

from connectors import hub
from connectors.erp import KINDS as ERP_KINDS

from ..finance_sync.modes import CROSSDOCK_INVOICES, mode_of
from .differences import Reconciliation
from .matching import reconcile_rows
from .our_invoices import our_invoices


class ReconcileRefused(ValueError):
    """A reconciliation that cannot run (unknown backend, empty period)."""


def erp_backends(session: Session) -> list:
    """The active backends a reconciliation can run against."""
    return hub.active_backends(session, ERP_KINDS)


def backend_named(session: Session, name: str):
    for backend in erp_backends(session):
        if backend.name == name:
            return backend
    raise ReconcileRefused(gettext("No active ERP backend is named %(name)s.", name=name))


def reconcile(session: Session, backend, first: date, last: date) -> Reconciliation:
    """Ours against the backend's invoices dated first..last (both included).
    Remote trouble is raised as connectors.errors.RemoteError."""
    if first > last:
        raise ReconcileRefused(gettext("The period ends (%(last)s) before it starts (%(first)s).",
                                       last=last, first=first))
    backend_id, name = backend.id, backend.name
    invoiced_here = mode_of(backend.options_json) == CROSSDOCK_INVOICES
    started = time.perf_counter()
    ours = our_invoices(session, backend_id, invoiced_here, first, last)
    seconds_ours = time.perf_counter() - started
    pages = hub.call_remote(session, backend_id,
                            lambda client: client.invoices_dated(first, last))
    result = reconcile_rows(name, ours, pages)
    result.seconds_ours = seconds_ours
    return result
