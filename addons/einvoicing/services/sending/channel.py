"""What a channel is: how an invoice becomes the file it sends, how that file
is sent, and how the remote's answers come back. One module per channel
(peppol.py, facturx.py, sdi.py, fapiao.py) declares one `Channel`;
`send_push` makes its hub push, `queue` uses it when an invoice is issued.

    build(session, invoice, submission) -> Built  in the issuing transaction (its id, attempt)
    send(client, Outgoing) -> Sent                in the hub's job, no database
    answers: hub.Pull / hub.Inbound handlers      results back onto the submission

`build` raises `NotBuildable` (the document lacks what the remote needs, in
words) or returns the file with its validation problems; a file with
problems never leaves. `send` must be idempotent on `Outgoing.key`: a worker
killed after the remote took the file sends it again with the same key.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class NotBuildable(ValueError):
    """The invoice cannot become this channel's document (the reason in words)."""


@dataclass(frozen=True)
class Problem:
    """A validation finding that blocks sending: a rule id (BR-CO-16, an XSD
    line, a bureau's field) and its text in the reader's language."""
    rule: str
    text: str


@dataclass(frozen=True)
class Built:
    file_name: str
    content: bytes
    content_type: str
    problems: tuple[Problem, ...] = ()
    routing: dict = field(default_factory=dict)  # what the remote needs beside the file


@dataclass(frozen=True)
class Outgoing:
    """A submission as its job sends it."""
    submission_id: int
    key: str  # the idempotency key: the same for every try of this submission
    file_name: str
    content: bytes
    content_type: str
    routing: dict


@dataclass(frozen=True)
class Sent:
    """The remote took it: its id for the file and the state it is in."""
    remote_id: str
    state: str  # states.py
    text: str = ""
    remote_number: str = ""
    document_url: str = ""
    step_id: str = ""  # names this answer: pulled again, it adds no second history step


@dataclass(frozen=True)
class Channel:
    key: str  # the company's einvoice_channel
    backend_kind: str  # connectors/einvoice/backends.py
    build: Callable[[Any, Any, Any], Built]
    send: Callable[[Any, Outgoing], Sent]
    answers: tuple = ()  # the hub handlers that bring the remote's answers back

    @property
    def model(self) -> str:
        """The hub model of this channel's jobs and bindings (a pull reads one channel)."""
        return f"einvoicing.{self.key}"
