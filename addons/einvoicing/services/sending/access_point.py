"""Sending through a Peppol access point (backend kind `peppol_ap`,
connectors/einvoice/peppol), the same for the UBL and the Factur-X channel:
the kept file with its routing, idempotent on the submission's key, and the
access point's statuses in our states (states.py)."""
from __future__ import annotations

from connectors.einvoice.peppol.backend import DELIVERED, SUBMITTED

from . import states
from .channel import Outgoing, Sent

STATES = {SUBMITTED: states.SENT, DELIVERED: states.DELIVERED}


def send(client, outgoing: Outgoing) -> Sent:
    submitted = client.submit(outgoing.key, outgoing.file_name, outgoing.content,
                              outgoing.content_type, outgoing.routing)
    return _sent(submitted)


def results(client, remote_ids: list[str]) -> dict[str, Sent]:
    """The submissions that moved on: one still only taken is no news (no step)."""
    return {remote_id: _sent(s) for remote_id, s in client.statuses(remote_ids).items()
            if s.status != SUBMITTED}


def _sent(submitted) -> Sent:
    return Sent(submitted.remote_id, STATES[submitted.status], submitted.text)
