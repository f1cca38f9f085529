"""`compose`: an `OutgoingMail` as the MIME message that goes on the wire.

UTF-8 throughout and 7-bit clean on the wire (bodies in base64 or
quoted-printable, headers as RFC 2047 encoded words, attachment names as RFC
2231 parameters), so no relay in between needs 8BITMIME or SMTPUTF8.
"""
from __future__ import annotations

import mimetypes
from email import policy
from email.message import EmailMessage
from email.utils import formatdate

from . import identity
from .outgoing import OutgoingMail

WIRE = policy.SMTP.clone(cte_type="7bit")


def compose(mail: OutgoingMail, *, domain: str) -> EmailMessage:
    """The message for `mail`; `domain` is the sending account's (the
    Message-ID's right side and the bounce address's domain). Its envelope
    sender is `envelope_sender(mail, domain)`."""
    message = EmailMessage(policy=WIRE)
    message["Message-ID"] = identity.message_id(identity.token_for(mail.reference), domain)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["From"] = mail.sender
    message["To"] = ", ".join(mail.to)
    if mail.cc:
        message["Cc"] = ", ".join(mail.cc)
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["Subject"] = mail.subject
    thread = _thread(mail)
    if thread:
        message["In-Reply-To"] = mail.in_reply_to or thread[-1]
        message["References"] = " ".join(thread)
    if mail.auto_submitted:
        message["Auto-Submitted"] = mail.auto_submitted
    for name, value in mail.headers.items():
        message[name] = value
    message.set_content(mail.text, charset="utf-8")
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html", charset="utf-8")
    for attachment in mail.attachments:
        maintype, subtype = _content_type(attachment.content_type, attachment.filename)
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype,
                               filename=attachment.filename)
    if mail.language:  # after the body: set_content clears Content-* headers
        message["Content-Language"] = mail.language
    return message


def envelope_sender(mail: OutgoingMail, domain: str) -> str:
    """MAIL FROM for `mail`: where bounces go, naming the message (VERP)."""
    return identity.bounce_address(identity.token_for(mail.reference), domain)


def _thread(mail: OutgoingMail) -> list[str]:
    """References then the answered message, each once, in order (RFC 5322
    3.6.4: the parent's References followed by the parent's Message-ID)."""
    thread: list[str] = []
    for message_id in (*mail.references, mail.in_reply_to):
        if message_id and message_id not in thread:
            thread.append(message_id)
    return thread


def _content_type(declared: str, filename: str) -> tuple[str, str]:
    value = declared or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    maintype, _, subtype = value.partition("/")
    return maintype, subtype or "octet-stream"
