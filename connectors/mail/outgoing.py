"""What an addon hands over to send a mail: neutral values, no model."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attachment:
    filename: str                 # any language: 发票 INV-0001.pdf
    content: bytes
    content_type: str = ""        # guessed from the file name when empty


@dataclass(frozen=True)
class OutgoingMail:
    """One mail about one of our records.

    `reference` names the message among ours ("service_desk.ticket/42/reply/7"):
    the same reference always gives the same Message-ID and bounce address,
    so a retry is the same message. `in_reply_to` / `references` are the
    Message-IDs of the thread it answers (`<...>` form). `language` is the
    text's language (Content-Language). `auto_submitted` marks a mail that
    no person wrote ("auto-replied" for an acknowledgement,
    "auto-generated" for a reminder) so that other robots do not answer it
    (RFC 3834): two auto-responders cannot loop.
    """
    reference: str
    sender: str                   # "Support 客服 <support@example.com>"
    to: tuple[str, ...]
    subject: str
    text: str
    cc: tuple[str, ...] = ()
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    language: str | None = None   # "zh-CN", "en"
    reply_to: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    auto_submitted: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # e.g. List-Unsubscribe
