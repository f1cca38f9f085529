"""The gateway's shape of a mail account (`mailbox()` to read, `sender` to
send, `domain` for our Message-IDs) for a mailbox whose one HTTP API does
both: it is its own mailbox and sender, and holds no connection to close."""
from __future__ import annotations

from email.message import EmailMessage


class ApiMailAccount:
    domain: str

    def mailbox(self):
        return self

    @property
    def sender(self):
        return self

    def close(self) -> None:
        """Nothing to close: each call is its own HTTP request."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def mime_bytes(message: EmailMessage) -> bytes:
    """The message as it goes on the wire (CRLF lines, RFC 2047 words for
    non-ASCII headers): the APIs send it as given, our Message-ID included."""
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
