"""What people see of an order in the ERPs: one line per backend, from the
order's hub jobs and bindings (read in one batch for a list page), or one
saying why there is none.

The words say what is true now: where the order is in the ERP (with a
warning when the ERP's totals differ from ours), "sync failed" for a push
the ERP refused, "cancellation pending/refused" for a cancel (never "sync
failed"), "waiting for SO2026-00021" when another order of the same customer
goes first, and for a retry the attempt that failed, why, and when the next
one is due.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import object_session

from connectors import hub
from connectors.erp import KINDS as ERP_KINDS

from ...models.sales_order import CONFIRMED, ERP_MODEL as MODEL, SalesOrder
from .cancel import ORDER_CANCEL
from .totals_check import TOTALS_DIFFER

LIVE = ("pending", "queued", "running")
_ATTEMPT = re.compile(r"^attempt \d+: ")  # how the hub prefixes a retried job's error


@dataclass(frozen=True)
class ErpStatus:
    """One line per backend (or one saying why there is none) for an order."""
    level: str  # success, info, warning, danger, default
    text: str
    job_id: int | None = None
    can_retry: bool = False


def erp_status(order: SalesOrder, sync: hub.SyncState | None = None) -> list[ErpStatus]:
    """Whether and where the order is in each ERP, and why not, from its hub
    jobs and bindings (`sync`, else read now)."""
    session = object_session(order)
    if sync is None:
        sync = (hub.sync_states(session, MODEL, [order.id])[order.id] if session is not None
                else hub.SyncState())
    return _statuses(order, sync, _Page(session, [sync]))


def erp_statuses(session, orders) -> dict[int, list[ErpStatus]]:
    """{order id: erp_status} for a page of orders in a few queries, however many."""
    orders = list(orders)
    syncs = hub.sync_states(session, MODEL, [o.id for o in orders])
    page = _Page(session, syncs.values())
    return {o.id: _statuses(o, syncs[o.id], page) for o in orders}


class _Page:
    """What the statuses of a page's orders share, each read once and only
    when a line needs it: whether an ERP backend exists, the jobs the live
    ones wait behind, and those jobs' order numbers."""

    def __init__(self, session, syncs):
        self.session = session
        self._latest = [job for sync in syncs for job in latest_jobs(sync)]
        self._have_backends: bool | None = None
        self._blockers: dict | None = None
        self._numbers: dict | None = None

    def have_backends(self) -> bool:
        if self._have_backends is None:
            self._have_backends = self.session is not None and bool(
                hub.active_backends(self.session, ERP_KINDS))
        return self._have_backends

    def blocker(self, job):
        if self._blockers is None:
            self._blockers = (hub.waiting_for_each(self.session, self._latest)
                              if self.session is not None else {})
        return self._blockers.get(job.id)

    def number(self, order_id: int) -> str | None:
        if self._numbers is None:
            ids = {b.record_id for b in self._blockers.values() if b.model == MODEL}
            rows = self.session.execute(select(SalesOrder.id, SalesOrder.number).where(
                SalesOrder.id.in_(ids))).all() if ids else []
            self._numbers = dict(rows)
        return self._numbers.get(order_id)


def _statuses(order: SalesOrder, sync: hub.SyncState, page: _Page) -> list[ErpStatus]:
    bindings = {b.backend_id: b for b in sync.bindings}
    latest = {j.backend_id: j for j in sync.jobs}  # ordered by id: the last one wins
    statuses = [_status(page, bindings.get(k), latest.get(k))
                for k in sorted({*bindings, *latest}, key=lambda k: k or 0)]
    if not statuses and order.state == CONFIRMED:
        statuses = [ErpStatus("warning", gettext("not sent: no ERP backend is configured")
                              if not page.have_backends() else
                              gettext("not sent: confirmed before the ERP backend was added "
                                      "(crossdock sales erp-resend)"))]
    return statuses


def order_sync(session, order: SalesOrder) -> hub.SyncState:
    """The order's hub jobs and bindings (for its page: status and problems)."""
    return hub.sync_states(session, MODEL, [order.id])[order.id]


def latest_jobs(sync: hub.SyncState) -> list:
    """The last job of the order on each backend."""
    return list({j.backend_id: j for j in sync.jobs}.values())


def _status(page: _Page, binding, job) -> ErpStatus:
    """One backend's line from its binding and latest job (either may be None)."""
    live = job is not None and job.state in LIVE
    where = f"{job.backend.name}: " if job is not None and job.backend else ""
    if job is not None and job.state == "failed":
        if job.kind == ORDER_CANCEL.kind:
            return ErpStatus("danger", where + gettext("cancellation refused: %(why)s",
                                                       why=job.last_error), job.id, True)
        return ErpStatus("danger", where + gettext("sync failed: %(why)s", why=job.last_error),
                         job.id, True)
    if live and job.kind == ORDER_CANCEL.kind:
        return ErpStatus("warning", where + gettext("cancellation pending") +
                         _progress(page, job), job.id)
    if binding is not None and not live:
        return _where_it_is(binding, job)
    if job is None:
        return ErpStatus("default", "")
    if job.state == "running":
        return ErpStatus("info", where + gettext("sending (attempt %(n)s)", n=job.attempts),
                         job.id)
    if live:
        progress = _progress(page, job)
        if progress:
            return ErpStatus("warning" if job.last_error else "info",
                             where + gettext("not sent yet") + progress, job.id)
        text = (gettext("sync queued (attempt %(n)s)", n=job.attempts) if job.state == "queued"
                else gettext("sync pending (attempt %(n)s)", n=job.attempts))
        return ErpStatus("info", where + text, job.id)
    ended = {"done": gettext("sent"), "cancelled": gettext("sync cancelled")}
    return ErpStatus("default", f"{where}{job.result or ended.get(job.state, job.state)}",
                     job.id)


def _where_it_is(binding, job) -> ErpStatus:
    label = binding.remote_state_label or binding.remote_state or ""
    name = binding.backend.name
    text = (f"{name}: {binding.external_number or binding.external_id}"
            f"{' (' + label + ')' if label else ''}")
    job_id = job.id if job else None
    if binding.attention == TOTALS_DIFFER:
        d = binding.details
        ours, remote = d.get("ours", {}), d.get("remote", {})
        return ErpStatus("warning", text + "; " + gettext(
            "totals differ: ours untaxed %(untaxed)s, tax %(tax)s, total %(total)s; "
            "%(backend)s %(r_untaxed)s, %(r_tax)s, %(r_total)s %(currency)s",
            untaxed=ours.get("untaxed"), tax=ours.get("tax"), total=ours.get("total"),
            backend=name, r_untaxed=remote.get("untaxed"), r_tax=remote.get("tax"),
            r_total=remote.get("total"), currency=d.get("currency", "")).rstrip(), job_id)
    return ErpStatus("danger" if binding.remote_state == "cancelled" else "success",
                     text, job_id)


def _progress(page, job) -> str:
    """Why a live job has not finished: the job it waits for, or its failed attempt."""
    if job.state == "running":
        return gettext(" (sending, attempt %(n)s)", n=job.attempts)
    blocker = page.blocker(job)
    if blocker is not None:
        if blocker.record_id == job.record_id and blocker.model == job.model:
            return gettext(" (waiting for its sync to finish)")
        number = page.number(blocker.record_id) if blocker.model == job.model else None
        return gettext(" (waiting for %(other)s, an earlier order of the same customer)",
                       other=number or f"{blocker.model}:{blocker.record_id}")
    if job.last_error:
        error = _ATTEMPT.sub("", job.last_error)
        when = (job.next_attempt_at.strftime("%H:%M:%S UTC") if job.next_attempt_at else "")
        return gettext(" (attempt %(n)s failed: %(why)s; next try %(when)s)",
                       n=job.attempts, why=error, when=when or gettext("soon"))
    return ""
