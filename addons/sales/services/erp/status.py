"""What people see of an order in the ERPs: one line per backend, from the
order's jobs and bindings (loaded with it), or one saying why there is none."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import object_session

from connectors import hub
from connectors.erp import KINDS as ERP_KINDS
from ...models.sales_order import CONFIRMED, SalesOrder
from .cancel import CANCEL
from .totals_check import TOTALS_DIFFER, in_words


@dataclass(frozen=True)
class ErpStatus:
    """One line per backend (or one saying why there is none) for an order."""
    level: str  # success, info, warning, danger, default
    text: str
    job_id: int | None = None
    can_retry: bool = False


def erp_status(order: SalesOrder) -> list[ErpStatus]:
    """Whether and where the order is in each ERP, and why not (from the
    order's jobs and bindings, loaded with it)."""
    bindings = {b.backend_id: b for b in order.erp_bindings}
    latest = {j.backend_id: j for j in order.erp_jobs}  # ordered by id: the last one wins
    statuses = [_status(bindings.get(k), latest.get(k))
                for k in sorted({*bindings, *latest}, key=lambda k: k or 0)]
    if not statuses and order.state == CONFIRMED:
        session = object_session(order)
        have_backends = session is not None and bool(hub.active_backends(session, ERP_KINDS))
        statuses = [ErpStatus("warning", "not sent: no ERP backend is configured"
                              if not have_backends else
                              "not sent: confirmed before the ERP backend was added "
                              "(crossdock sales erp-resend)")]
    return statuses


def _status(binding, job) -> ErpStatus:
    """One backend's line from its binding and latest job (either may be None)."""
    live = job is not None and job.state in ("pending", "queued", "running")
    cancelling = job is not None and job.kind == CANCEL
    if job is not None and job.state == "failed":
        where = f"{job.backend.name}: " if job.backend else ""
        if cancelling:
            return ErpStatus("danger", f"{where}cancellation refused: {job.last_error}",
                             job.id, True)
        return ErpStatus("danger", f"{where}sync failed: {job.last_error}", job.id, True)
    if cancelling and live:
        where = f"{job.backend.name}: " if job.backend else ""
        waiting = f" (attempt {job.attempts} failed: {job.last_error})" if job.last_error else ""
        return ErpStatus("warning", f"{where}cancellation pending{waiting}", job.id)
    if binding is not None and not live:
        label = binding.remote_state_label or binding.remote_state or ""
        name = binding.backend.name
        text = (f"{name}: {binding.external_number or binding.external_id}"
                f"{' (' + label + ')' if label else ''}")
        if binding.attention == TOTALS_DIFFER:
            return ErpStatus("warning", f"{text}; {in_words(binding.details, name)}",
                             job.id if job else None)
        return ErpStatus("danger" if binding.remote_state == "cancelled" else "success",
                         text, job.id if job else None)
    if job is None:
        return ErpStatus("default", "")
    where = f"{job.backend.name}: " if job.backend else ""
    if live:
        retrying = f", retrying after: {job.last_error}" if job.last_error else ""
        return ErpStatus("info" if not job.last_error else "warning",
                         f"{where}sync {job.state} (attempt {job.attempts}{retrying})", job.id)
    return ErpStatus("default", f"{where}{job.result or job.state}", job.id)
