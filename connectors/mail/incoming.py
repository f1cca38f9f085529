"""A received mail as neutral values (what `parsing.parse` returns)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReceivedAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Bounce:
    """A delivery status notification (RFC 3464) about a mail of ours.

    `message_id`: the Message-ID of our bounced message, recovered from the
    VERP address the bounce was sent to (None when it went elsewhere);
    `recipient`, `action` ("failed", "delayed", ...), `status` ("5.1.1") and
    `diagnostic` (the remote server's words) of its first recipient."""
    message_id: str | None
    recipient: str
    action: str
    status: str
    diagnostic: str

    @property
    def failed(self) -> bool:
        return self.action == "failed"


@dataclass(frozen=True)
class IncomingMail:
    """`message_id` is the normalised Message-ID (`<...>`), or
    `sha256:<hex of the raw bytes>` when the mail has none: the key to
    refuse duplicates. `raw` is the message as received, to keep.
    `auto_submitted`: sent by a robot (never answer it automatically);
    `bounce`: set for a delivery status notification."""
    message_id: str
    in_reply_to: str | None
    references: tuple[str, ...]
    sender: str                    # the From address, lower case
    sender_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    text: str
    html: str | None
    attachments: tuple[ReceivedAttachment, ...]
    auto_submitted: bool
    bounce: Bounce | None
    raw: bytes

    @property
    def is_bounce(self) -> bool:
        return self.bounce is not None
