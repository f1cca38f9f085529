"""A person's mails (contacts' extension point): received from one of their
e-mail addresses (the row and the raw mail as received), and sent to one of
them (the row, its bodies and attachments).

Erasure keeps each row (the mail flow's history and loop guards) with the
address, subject and bodies replaced, overwrites the stored raw mail and
deletes the attachments; a mail still queued to them is not sent.
"""
from __future__ import annotations

import json

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from addons.contacts.services.personal_data.provider import (ANONYMISED, DELETED, ERASED_TEXT,
                                                             Erased, Found, Provider, Subject)
from addons.contacts.services.personal_data.rows import row_of
from addons.mail_gateway.models.incoming_mail import IncomingMailRecord
from addons.mail_gateway.models.outgoing_mail import FAILED, QUEUED, OutgoingMailRecord
from addons.mail_gateway.services.stored_mail import raw_of
from connectors import hub

INCOMING_FIELDS = ("id", "received_at", "folder", "message_id", "sender", "subject", "size",
                   "state", "routed_to")
OUTGOING_FIELDS = ("id", "created_at", "sent_at", "sender", "to_addresses", "cc_addresses",
                   "reply_to", "subject", "body_text", "body_html", "state")
LABELS = {"received": ("收到的邮件", "mails received"), "sent": ("发出的邮件", "mails sent")}


def _received(session: Session, subject: Subject) -> list[IncomingMailRecord]:
    return session.scalars(select(IncomingMailRecord).where(
        func.lower(IncomingMailRecord.sender).in_(subject.emails))
        .order_by(IncomingMailRecord.id)).all()


def _sent(session: Session, subject: Subject) -> list[OutgoingMailRecord]:
    """Mails with one of the person's addresses as a whole line of To or Cc."""
    if not subject.emails:
        return []
    text = func.lower(OutgoingMailRecord.to_addresses + "\n"
                      + func.coalesce(OutgoingMailRecord.cc_addresses, ""))
    rows = session.scalars(select(OutgoingMailRecord).where(or_(
        *(text.contains(e, autoescape=True) for e in subject.emails)))
        .order_by(OutgoingMailRecord.id)).all()
    return [r for r in rows if subject.emails & {line.strip().lower() for line in
                                                 f"{r.to_addresses}\n{r.cc_addresses or ''}"
                                                 .splitlines()}]


def export(session: Session, subject: Subject) -> Found:
    found = Found(labels=LABELS, sections={"received": [], "sent": []})
    for mail in _received(session, subject):
        stored = hub.stored_payload(session, mail.event_id)
        path = f"received/{mail.id}.eml"
        if stored:
            found.files[path] = raw_of(json.loads(stored))
        found.sections["received"].append({**row_of(mail, INCOMING_FIELDS),
                                           "file": path if stored else None})
    for mail in _sent(session, subject):
        files = []
        for attachment in mail.attachments:
            files.append(f"sent/{mail.id}/{attachment.id}-{attachment.filename}")
            found.files[files[-1]] = attachment.content
        found.sections["sent"].append({**row_of(mail, OUTGOING_FIELDS), "files": files})
    return found


def erase(session: Session, subject: Subject) -> Erased:
    erased = Erased()
    received = _received(session, subject)
    for mail in received:
        erased.identifiers.add(mail.sender)
        mail.sender = mail.subject = ERASED_TEXT
        mail.routed_to = None
        hub.erase_payload(session, mail.event_id, json.dumps({"erased": True}))
    erased.add("received", ANONYMISED, len(received))
    sent = _sent(session, subject)
    attachments = 0
    for mail in sent:
        mail.to_addresses = mail.subject = mail.body_text = ERASED_TEXT
        mail.cc_addresses = mail.reply_to = mail.body_html = None
        mail.state_text = None  # a bounce's words name the address
        if mail.state == QUEUED:
            mail.state, mail.state_text = FAILED, "not sent: the recipient's data was erased"
        attachments += len(mail.attachments)
        mail.attachments.clear()
    erased.add("sent", ANONYMISED, len(sent))
    erased.add("attachments", DELETED, attachments)
    return erased


PROVIDER = Provider("contacts_mail", export, erase)
