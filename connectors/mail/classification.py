"""Which received mail a robot sent, and which are bounces: loop guards.

Auto-submitted (RFC 3834 and the headers real auto-responders set): an
`Auto-Submitted` other than "no"; `Precedence: bulk`, `list` or `junk`;
`X-Autoreply` / `X-Autorespond`; a null return path; a sender named
mailer-daemon or postmaster. Such mail is never answered automatically, so
two auto-responders cannot keep answering each other. A bounce is a
multipart/report of delivery status (RFC 3464), counted as auto-submitted
too.
"""
from __future__ import annotations

from email.message import Message

from . import identity
from .charsets import decode_header_value
from .incoming import Bounce

_ROBOT_SENDERS = ("mailer-daemon", "postmaster")
_BULK = ("bulk", "list", "junk")
_DSN_TYPES = ("message/delivery-status", "message/global-delivery-status")
_ENVELOPE_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To")


def is_auto_submitted(message: Message, sender: str) -> bool:
    auto = _first_word(message.get("Auto-Submitted"))
    if auto and auto != "no":
        return True
    if _first_word(message.get("Precedence")) in _BULK:
        return True
    if message.get("X-Autoreply") is not None or message.get("X-Autorespond") is not None:
        return True
    if (message.get("Return-Path") or "").strip() == "<>":
        return True
    return sender.partition("@")[0] in _ROBOT_SENDERS


def bounce_of(message: Message) -> Bounce | None:
    report = next((part for part in message.walk()
                   if part.get_content_type() in _DSN_TYPES), None)
    if report is None:
        return None
    blocks = report.get_payload()
    recipient = next((block for block in blocks[1:] if block.get("Final-Recipient")
                      or block.get("Original-Recipient")), None) if isinstance(blocks, list) else None
    return Bounce(
        message_id=_bounced_message_id(message),
        recipient=_address_field(recipient, "Final-Recipient", "Original-Recipient"),
        action=_first_word(recipient.get("Action")) if recipient else "",
        status=(recipient.get("Status") or "").strip() if recipient else "",
        diagnostic=_address_field(recipient, "Diagnostic-Code"),
    )


def _bounced_message_id(message: Message) -> str | None:
    for name in _ENVELOPE_HEADERS:
        for value in message.get_all(name) or ():
            found = identity.bounced_message_id(decode_header_value(value))
            if found:
                return found
    return None


def _address_field(block: Message | None, *names: str) -> str:
    """'rfc822; someone@example.com' -> 'someone@example.com' (the type
    before the semicolon dropped), whitespace of folded lines collapsed."""
    for name in names:
        value = block.get(name) if block is not None else None
        if value:
            kind, _, rest = decode_header_value(value).partition(";")
            return " ".join((rest if rest else kind).split())
    return ""


def _first_word(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()
