"""Queuing an invoice's e-invoice: when it is issued (invoicing's issue hook,
in the issuing transaction) and when Finance sends it again.

The file is built and validated here, once, and kept on the submission: what
the job sends is what was checked, and stays the legal original. A file with
problems is `invalid` and no job is written; an invoice the channel cannot
express, or a channel without an active backend, is `not_sent` with the
reason. Either is sent again from the invoice page once fixed.
"""
from __future__ import annotations

import json
import logging

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from addons.invoicing_link.models.invoice import CROSSDOCK, ISSUED
from connectors import hub
from connectors.einvoice.artefacts import ArtefactsMissing
from connectors.einvoice.invoice_pdf import FontUnusable
from core.security.audit import record_event

from ...models.submission import EinvoiceSubmission
from ..document_builder import NoSeller
from . import states
from .channel import NotBuildable
from .channels_sending import channel_for
from .send_push import push_of


log = logging.getLogger(__name__)


class NotSendable(ValueError):
    """Sending again is not possible now (the reason in words)."""


def channel_key_of(invoice) -> str | None:
    company = invoice.company
    return getattr(company, "einvoice_channel", None) if company is not None else None


def queue_einvoice(session: Session, invoice) -> EinvoiceSubmission | None:
    """The issue hook: a submission for the customer's channel, if it has one."""
    if invoice.origin != CROSSDOCK or not channel_key_of(invoice):
        return None
    return _submit(session, invoice)


def send_again(session: Session, submission: EinvoiceSubmission) -> EinvoiceSubmission:
    """A new attempt (a new file: SdI wants a new name) once the last one is
    over (not sent, invalid, failed, rejected); audited."""
    invoice = submission.invoice
    latest = session.scalar(select(func.max(EinvoiceSubmission.attempt)).where(
        EinvoiceSubmission.invoice_id == invoice.id))
    if submission.attempt != latest or submission.state not in states.MAY_SEND_AGAIN:
        raise NotSendable(gettext("%(file)s is %(state)s: only the latest attempt, once not "
                                  "sent, invalid, failed or rejected, is sent again",
                                  file=submission.file_name or submission.channel,
                                  state=states.LABELS[submission.state]))
    if invoice.state != ISSUED or not channel_key_of(invoice):
        raise NotSendable(gettext("the invoice is not issued or its customer has no "
                                  "e-invoice channel"))
    again = _submit(session, invoice)
    record_event(session, "einvoice_send_again", "Invoice", invoice.id,
                 {"previous": submission.id, "submission": again.id, "state": again.state})
    return again


def _submit(session: Session, invoice) -> EinvoiceSubmission:
    channel = channel_for(channel_key_of(invoice))
    attempt = (session.scalar(select(func.max(EinvoiceSubmission.attempt)).where(
        EinvoiceSubmission.invoice_id == invoice.id)) or 0) + 1
    submission = EinvoiceSubmission(invoice_id=invoice.id, channel=channel.key,
                                    attempt=attempt, state=states.QUEUED)
    backend = next(iter(hub.active_backends(session, (channel.backend_kind,))), None)
    submission.backend_id = backend.id if backend is not None else None  # build may read it
    session.add(submission)
    session.flush()
    try:
        built = channel.build(session, invoice, submission)
    except (NotBuildable, NoSeller, ArtefactsMissing, FontUnusable) as exc:
        states.move(session, submission, states.NOT_SENT, str(exc), again=True)
        return submission
    except SQLAlchemyError:
        raise
    except Exception as exc:  # the invoice is issued whatever its e-invoice does
        log.exception("e-invoice of %s could not be built", invoice.number)
        states.move(session, submission, states.NOT_SENT,
                    gettext("could not be built (%(error)s); see the log",
                            error=f"{type(exc).__name__}: {exc}"[:300]), again=True)
        return submission
    submission.file_name, submission.content = built.file_name, built.content
    submission.content_type = built.content_type
    submission.routing_json = json.dumps(built.routing, ensure_ascii=False) \
        if built.routing else None
    if built.problems:
        states.move(session, submission, states.INVALID,
                    gettext("%(count)d validation rules failed; nothing was sent",
                            count=len(built.problems)),
                    details={"problems": [[p.rule, p.text] for p in built.problems]},
                    again=True)
    elif backend is None:
        states.move(session, submission, states.NOT_SENT,
                    gettext("no active backend of kind %(kind)s (Integration > Backends)",
                            kind=channel.backend_kind), again=True)
    else:
        states.move(session, submission, states.QUEUED, backend.name, again=True)
        hub.enqueue(session, push_of(channel), submission.id, backend.id,
                    serial_key=f"einvoice:{invoice.id}")
    return submission
