"""Sending e-invoices through the hub (see channel.py for what a channel is):
`queue_einvoice` runs when an invoice is issued, each channel's push sends
the kept file once, its pull or inbound handler brings the remote's answers
back onto the submission (states.py); an issued fapiao's files are fetched
and kept by a job of their own (fapiao_documents.py)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import hub

from ...models.submission import EinvoiceSubmission
from .channels_sending import SENDING
from .fapiao_documents import FETCH_DOCUMENTS
from .queue import NotSendable, queue_einvoice, send_again
from .send_push import push_of

__all__ = ["NotSendable", "queue_einvoice", "register_with_hub", "send_again"]


def submission_names(session: Session, ids: list[int]) -> dict[int, str]:
    """What the hub's log lines call a submission."""
    return {i: name or f"e-invoice #{i}" for i, name in session.execute(
        select(EinvoiceSubmission.id, EinvoiceSubmission.file_name)
        .where(EinvoiceSubmission.id.in_(list(ids))))}


def register_with_hub() -> None:
    for channel in SENDING.values():
        hub.register(push_of(channel), *channel.answers)
        hub.register_labels(channel.model, submission_names)
    hub.register(FETCH_DOCUMENTS)
