"""The leads Meta has that we missed while down (`META_BACKFILL`, a
`hub.Every` the elected scheduler runs every 15 minutes).

For each active Meta backend and each form in its options' `forms`, the
form's leads created in the last `backfill_hours` (options, default 48:
Meta retries a webhook for about a day) are read from the Graph API and
stored like the webhook's, under the same external id (the leadgen_id), so
a lead already stored is not stored again and one missed is processed now.
The window is re-read each time rather than kept as a cursor: nothing to
lose when a run dies half-way. One form's remote trouble is said in the
summary and the other forms still run.
"""
from __future__ import annotations

import logging
import time

from connectors import hub
from connectors.errors import RemoteError
from connectors.social.backends import META_LEADS

from .meta import store_read_lead

log = logging.getLogger(__name__)
BACKFILL_HOURS = 48


def backfill(session, *, now: float | None = None) -> str:
    now = time.time() if now is None else now
    forms = [(backend.id, form, float(backend.options.get("backfill_hours") or BACKFILL_HOURS))
             for backend in hub.active_backends(session, (META_LEADS,))
             for form in (backend.options.get("forms") or {})]
    session.commit()
    said = []
    for backend_id, form, hours in forms:
        since = int(now - hours * 3600)
        try:  # read every page first: no transaction is open during the remote calls
            leads = list(hub.call_remote(session, backend_id,
                                         lambda client: client.graph.leads_since(form, since)))
        except RemoteError as exc:
            log.warning("Meta backfill, backend #%s form %s: %s", backend_id, form, exc)
            said.append(f"form {form}: {exc}")
            continue
        for lead in leads:
            store_read_lead(session, backend_id, lead)
        session.commit()
        said.append(f"form {form}: {len(leads)} leads of the last {hours:g} h read")
    return "; ".join(said) or "no Meta form to read"


META_BACKFILL = hub.Every(kind="social_leads.meta_backfill", run=backfill, every_seconds=900)
