"""`send_mail`: a mail about one of our records, queued in the caller's
transaction and sent by the hub after commit through the account (a mail
backend, Integration > Backends: its SMTP server, or the Graph / Gmail API).

The row keeps what was asked and its Message-ID, fixed at queue time from
the mail's reference (connectors/mail/identity.py): every try composes the
same message, so a retry after a 4xx (or a worker killed after the server
took it) is the same Message-ID to the receiver. The hub retries transient
trouble (4xx, no connection) with backoff; a 5xx fails the mail with the
server's reply, which the Outgoing mails screen shows and can retry.
"""
from __future__ import annotations


from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import hub
from connectors.backend_kinds import MAIL_KINDS
from connectors.mail import identity
from connectors.mail.composing import compose, envelope_sender
from connectors.mail.outgoing import Attachment, OutgoingMail
from core.user_time import utc_now

from ..models.outgoing_mail import (FAILED, QUEUED, SENT, SYNC_MODEL, MailAttachment,
                                    OutgoingMailRecord)


class NoMailAccount(ValueError):
    """No active mail account to send from (Integration > Backends, kind `mail`)."""


def send_mail(session: Session, mail: OutgoingMail, record: tuple[str, int],
              account=None) -> OutgoingMailRecord:
    """Queue `mail` about `record` (model name, id) through `account` (a
    `mail` backend or its id; default: the first active one). An empty
    `mail.reference` becomes "<model>/<id>/mail/<row id>"; an empty sender
    the account's login. Returns the row; the hub sends it after commit. A
    reference already queued is that mail (its row is returned, nothing is
    added): a caller that runs twice sends once."""
    backend = _account(session, account)
    domain = hub.client_of(backend).domain
    if mail.reference:
        queued = session.scalars(select(OutgoingMailRecord).where(
            OutgoingMailRecord.message_id == _message_id(mail.reference, domain))).first()
        if queued is not None:
            return queued
    model, record_id = record
    row = OutgoingMailRecord(
        backend_id=backend.id, record_model=model, record_id=record_id,
        reference=mail.reference or "-", sender=mail.sender or (backend.username or ""),
        to_addresses="\n".join(mail.to), cc_addresses="\n".join(mail.cc) or None,
        reply_to=mail.reply_to, subject=mail.subject, body_text=mail.text, body_html=mail.html,
        language=mail.language, in_reply_to=mail.in_reply_to,
        thread_ids=" ".join(mail.references) or None, auto_submitted=mail.auto_submitted,
        state=QUEUED, attempts=0,
        attachments=[MailAttachment(filename=a.filename, content_type=a.content_type or None,
                                    content=a.content) for a in mail.attachments])
    session.add(row)
    session.flush()
    if not mail.reference:
        row.reference = f"{model}/{record_id}/mail/{row.id}"
    row.message_id = _message_id(row.reference, domain)
    hub.enqueue(session, SEND, row.id, backend.id)
    return row


def _message_id(reference: str, domain: str) -> str:
    return identity.message_id(identity.token_for(reference), domain)


def retry(session: Session, row: OutgoingMailRecord) -> None:
    """Send a failed mail again (a person asked): the same message."""
    if row.state != FAILED:
        raise ValueError(gettext("only a failed mail is sent again"))
    row.state, row.state_text = QUEUED, None
    hub.enqueue(session, SEND, row.id, row.backend_id, retry_failed=True)


def _account(session: Session, account):
    """The account (a `mail` backend row, or its id) among the active ones."""
    accounts = hub.active_backends(session, MAIL_KINDS)
    if account is not None:
        key = getattr(account, "id", account)
        found = next((b for b in accounts if b.id == key), None)
        if found is None:
            raise NoMailAccount(gettext("backend %(id)s is no mail account", id=key))
        return found
    found = next(iter(accounts), None)
    if found is None:
        raise NoMailAccount(gettext("no active mail account (Integration > Backends, "
                                    "kind mail)"))
    return found


def _prepare(ctx) -> OutgoingMail:
    row = ctx.session.get(OutgoingMailRecord, ctx.record_id)
    if row is None or row.state != QUEUED:
        raise hub.Skip(f"mail #{ctx.record_id} is {row.state if row else 'gone'}; nothing sent")
    return OutgoingMail(
        reference=row.reference, sender=row.sender, to=tuple(row.to_addresses.split("\n")),
        cc=tuple(row.cc_addresses.split("\n")) if row.cc_addresses else (),
        subject=row.subject, text=row.body_text,
        html=row.body_html, language=row.language, reply_to=row.reply_to,
        in_reply_to=row.in_reply_to, references=tuple((row.thread_ids or "").split()),
        auto_submitted=row.auto_submitted,
        attachments=tuple(Attachment(a.filename, a.content, a.content_type or "")
                          for a in row.attachments))


def _call(account, mail: OutgoingMail) -> hub.Outcome:
    """Talks to the account's sender only (its SMTP server or its mail API;
    no transaction is open)."""
    message = compose(mail, domain=account.domain)
    sent = account.sender.send(message, envelope_from=envelope_sender(mail, account.domain))
    summary = f"{account.sender.what} took {sent.message_id} for {', '.join(mail.to + mail.cc)}"
    if sent.refused:
        summary += "; refused: " + "; ".join(f"{a}: {r}" for a, r in sent.refused.items())
    return hub.Outcome(summary, remote_ref=sent.message_id)


def _on_settled(session: Session, settled: hub.Settled) -> None:
    row = session.get(OutgoingMailRecord, settled.record_id)
    if row is None or row.state != QUEUED:
        return  # skipped
    row.state, row.state_text = (SENT if settled.ok else FAILED), settled.text
    row.attempts = next((job.attempts for job in hub.jobs_for(session, SYNC_MODEL, [row.id])
                         if job.id == settled.job_id), row.attempts)
    if settled.ok:
        row.sent_at = utc_now()


def _labels(session: Session, ids: list[int]) -> dict[int, str]:
    return dict(session.execute(select(OutgoingMailRecord.id, OutgoingMailRecord.subject)
                                .where(OutgoingMailRecord.id.in_(ids))).all())


SEND = hub.Push(kind="mail_gateway.send", model=SYNC_MODEL, prepare=_prepare, call=_call,
                on_settled=_on_settled)


def register_with_hub() -> None:
    hub.register(SEND)
    hub.register_labels(SYNC_MODEL, _labels)
