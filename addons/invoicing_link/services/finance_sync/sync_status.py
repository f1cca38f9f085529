"""What people see of an invoice in the finance systems: one line per
backend, from its push jobs and bindings (the invoice's page).

Where it is there (number and state, with the totals difference when the
binding is flagged), "sync failed: <the remote's words>" for a push the
system refused (retried from the hub's job page once fixed there), and
"not sent yet (attempt n failed: <why>)" between the attempts that ride
out an outage.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy.orm import Session

from connectors import hub

from ...models.invoice import ERP_MODEL, Invoice

WAITING = ("pending", "queued", "running")
_ATTEMPT = re.compile(r"^attempt \d+: ")  # how the hub prefixes a retried job's error


@dataclass(frozen=True)
class FinanceStatus:
    level: str  # success, info, warning, danger, default
    text: str
    job_id: int | None = None


def finance_status(session: Session, invoice: Invoice) -> list[FinanceStatus]:
    """One line per backend the invoice was sent (or is going) to."""
    sync = hub.sync_states(session, ERP_MODEL, [invoice.id])[invoice.id]
    bindings = {b.backend_id: b for b in sync.bindings}
    latest = {j.backend_id: j for j in sync.jobs}  # ordered by id: the last one wins
    return [_line(bindings.get(k), latest.get(k)) for k in sorted({*bindings, *latest})]


def _line(binding, job) -> FinanceStatus:
    where = f"{(binding or job).backend.name}: "
    job_id = job.id if job is not None else None
    if job is not None and job.state == "failed":
        return FinanceStatus("danger", where + gettext("sync failed: %(why)s",
                                                       why=job.last_error), job_id)
    if binding is not None and (job is None or job.state not in WAITING):
        label = binding.remote_state_label or binding.remote_state
        text = where + (binding.external_number or binding.external_id) + (
            f" ({label})" if label else "")
        if binding.attention:  # "totals_differ": the figures of both sides
            problem = binding.details.get("problem") or binding.attention
            return FinanceStatus("warning", f"{text}; {problem}", job_id)
        return FinanceStatus("success", text, job_id)
    if job.state not in WAITING:  # done or cancelled without a remote record
        return FinanceStatus("default", where + (job.result or job.state), job_id)
    if job.state == "running":  # attempts counts this one
        return FinanceStatus("info", where + gettext("sending (attempt %(n)s)", n=job.attempts),
                             job_id)
    if job.last_error:
        return FinanceStatus("warning", where + gettext(
            "not sent yet (attempt %(n)s failed: %(why)s)", n=job.attempts,
            why=_ATTEMPT.sub("", job.last_error)), job_id)
    return FinanceStatus("info", where + gettext("not sent yet"), job_id)
