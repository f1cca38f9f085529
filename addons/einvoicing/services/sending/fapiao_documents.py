"""An issued fapiao's files (PDF, OFD, XML), fetched and kept with its submission.

The provider's links expire and the OFD / XML are the fapiao's legal
original, so a fapiao (blue or red) found issued gets a hub job
(`FETCH_DOCUMENTS`, queued in the pull's transaction by `queue_documents`):
- prepare: the submission, still issued, and its order number;
- call (no transaction open): a fresh result from the provider (fresh
  links), then its `documents(result)`: every file fetched and checked, or
  none (connectors/einvoice/fapiao/documents.py);
- on_settled, with the job's `done`: the files kept, one per kind; a kind
  already kept stays as it was (a repeated job stores nothing twice).
Network trouble and 5xx retry with the hub's backoff; a worker killed
mid-fetch leaves the job to the sweeper and nothing half-written. A file
that fails its check, or a link that answers 4xx, fails the job: the
reason is a step of the submission's history, nothing is kept, and the job
can be retried from Integrations > Sync jobs once the provider serves it,
or with `crossdock einvoicing fetch-files` (also for fapiao issued before
their files were kept).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import click
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import hub
from connectors.errors import PermanentError

from ...models.fapiao_document import FapiaoDocument
from ...models.submission import EinvoiceSubmission
from .. import channels
from . import states
from .channel import Sent


@dataclass(frozen=True)
class _Fetch:
    submission_id: int
    order_no: str
    number: str


def _prepare(ctx) -> _Fetch:
    submission = ctx.session.get(EinvoiceSubmission, ctx.record_id)
    if submission is None:
        raise hub.Skip(f"e-invoice #{ctx.record_id} is gone; nothing fetched")
    if submission.state != states.ISSUED or not submission.remote_id:
        raise hub.Skip(f"{submission} is not an issued fapiao; nothing fetched")
    return _Fetch(submission.id, submission.remote_id, submission.remote_number or "")


def _call(client, fetch: _Fetch) -> hub.Outcome:
    result = client.result(fetch.order_no)
    if fetch.number and result.number != fetch.number:
        raise PermanentError(f"order {fetch.order_no} is fapiao {result.number or 'none'} at "
                             f"the provider, not {fetch.number}; nothing fetched")
    files = tuple(client.documents(result))
    named = ", ".join(f"{f.file_name} ({len(f.content)} bytes)" for f in files)
    return hub.Outcome(f"fapiao {result.number}: {named or 'no files named'}",
                       remote_ref=result.number, data=files)


def _settled(session: Session, settled: hub.Settled) -> None:
    submission = session.get(EinvoiceSubmission, settled.record_id)
    if submission is None:
        return
    if not settled.ok:
        states.move(session, submission, submission.state, gettext(
            "The fapiao's files were not kept: %(reason)s", reason=settled.text))
        return
    kept = {document.kind for document in submission.fapiao_documents}
    for fetched in settled.data or ():
        if fetched.kind in kept:
            continue
        session.add(FapiaoDocument(
            submission_id=submission.id, kind=fetched.kind, file_name=fetched.file_name,
            content_type=fetched.content_type, size=len(fetched.content),
            sha256=fetched.sha256, content=fetched.content,
            fetched_at=datetime.utcnow()))


FETCH_DOCUMENTS = hub.Push(kind="einvoicing.fapiao.documents",
                           model=f"einvoicing.{channels.FAPIAO}",
                           prepare=_prepare, call=_call, on_settled=_settled)


def queue_documents(session: Session, submission: EinvoiceSubmission, answer: Sent) -> None:
    """The pull found the fapiao issued: fetch its files after the pull commits."""
    if answer.state == states.ISSUED and submission.backend_id is not None:
        hub.enqueue(session, FETCH_DOCUMENTS, submission.id, submission.backend_id)


def queue_missing(session: Session) -> int:
    """Every issued fapiao with no file kept gets its fetch (again): one issued
    before files were kept, or whose fetch failed (that job is retried)."""
    missing = session.scalars(select(EinvoiceSubmission).where(
        EinvoiceSubmission.channel == channels.FAPIAO,
        EinvoiceSubmission.state == states.ISSUED, EinvoiceSubmission.backend_id.is_not(None),
        ~EinvoiceSubmission.fapiao_documents.any())).all()
    for submission in missing:
        hub.enqueue(session, FETCH_DOCUMENTS, submission.id, submission.backend_id,
                    retry_failed=True)
    return len(missing)


@click.command("fetch-files")
def fetch_files_command() -> None:
    """Fetch the files of every issued fapiao that has none kept yet."""
    from core.db import db

    count = queue_missing(db.session)
    db.session.commit()
    click.echo(f"{count} issued fapiao queued to have their PDF, OFD and XML fetched "
               "(by `crossdock run` or the workers)")
