"""What every mailbox's `poll` answers, whatever it speaks (IMAP, Microsoft
Graph, the Gmail API): the messages after the caller's kept state and the
state to keep once they are stored."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

MAX_BYTES = 25 * 1024 * 1024  # larger messages: their header only


@dataclass(frozen=True)
class FolderState:
    """IMAP: (UIDVALIDITY, last UID). An API mailbox keeps its own opaque
    position instead (Graph's delta link, Gmail's history id) in `cursor`."""
    uidvalidity: int | None
    last_uid: int
    cursor: str | None = None

    @classmethod
    def at(cls, cursor: str) -> FolderState:
        return cls(None, 0, cursor)


@dataclass(frozen=True)
class Fetched:
    uid: int | str        # the IMAP UID, or the API's message id
    size: int
    raw: bytes            # the whole message, or only its header when not `complete`
    complete: bool


class Polled(NamedTuple):
    messages: list[Fetched]
    state: FolderState
    notice: str | None    # words for the sync dashboard when the folder was read again


def within_limit(uid: int | str, raw: bytes, max_bytes: int) -> Fetched:
    """A message downloaded whole: over `max_bytes` only its header is kept
    (for the caller to say it was too large)."""
    if len(raw) <= max_bytes:
        return Fetched(uid, len(raw), raw, True)
    head, found, _ = raw.partition(b"\r\n\r\n")
    if not found:
        head, _, _ = raw.partition(b"\n\n")
    return Fetched(uid, len(raw), head + b"\r\n\r\n", False)
