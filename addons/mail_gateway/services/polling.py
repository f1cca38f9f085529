"""Reading the mail accounts' folders (`POLL`, a `hub.Every` the elected
scheduler runs every minute), nothing read twice, nothing lost.

Why an `Every` and not the hub's other shapes: a `Pull` reads back the state
of records bound to remote ones, and mail has no such records; a `Push`'s
outcome is written without its payload, but the fetched messages must be
stored in the very transaction that moves the folder's state ((UIDVALIDITY,
last UID), or an API mailbox's cursor). So the task polls itself, in three
steps per folder:

1. take the folder's lease (a conditional UPDATE, committed): another worker
   (a second scheduler after a takeover, a "poll now") finds it held and
   leaves the folder alone;
2. fetch from the mailbox (IMAP, Graph, Gmail) after the kept state, no
   transaction open;
3. in one transaction: the new state (conditional on still holding the
   lease) and each message stored raw by `hub.receive` (unique per account
   and Message-ID), which queues its processing (inbound.py); commit.

A worker killed between 2 and 3 stored nothing and moved nothing: once its
lease expires the next poll fetches the same messages again. A message
already stored (a folder rebuilt on the server, the same mail in two
folders) is refused by `hub.receive`'s unique key.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors import hub
from connectors.backend_kinds import MAIL_KINDS
from connectors.errors import RemoteError
from connectors.mail.polled import FolderState, Polled
from connectors.mail.parsing import parse
from core.user_time import utc_now

from ..models.mail_folder import MailFolder
from ..settings import configured
from .inbound import MAIL_INBOUND
from .stored_mail import payload

log = logging.getLogger(__name__)
POLL_SECONDS = 60
MAX_BATCHES = 50  # per folder and poll: a full mailbox is read over several polls
EXTERNAL_ID_MAX = 200  # hub_inbound_event.external_id


def poll_accounts(session: Session) -> str:
    """Every folder of every active mail account; what happened, in words."""
    folders = [(backend.id, folder) for backend in hub.active_backends(session, MAIL_KINDS)
               for folder in folders_of(backend)]
    session.commit()
    return "; ".join(poll_folder(session, backend_id, folder) for backend_id, folder in folders) \
        or "no active mail account"


def poll_folder(session: Session, backend_id: int, folder: str) -> str:
    """Read one folder of one account to its end (up to MAX_BATCHES batches),
    each batch stored with the folder's state; the last poll and its error
    kept on the folder's row (Mail > Mailboxes). Says what happened."""
    settings = configured()
    row_id = _folder_row(session, backend_id, folder)
    token = uuid.uuid4().hex
    if not _take_lease(session, row_id, token, settings.mail_poll_lease_seconds):
        return f"#{backend_id}/{folder}: being polled by another worker"
    stored = 0
    try:
        row = session.get(MailFolder, row_id)
        state = _state_of(row)
        client, name = hub.client_of(row.backend), row.backend.name
        session.commit()  # no transaction open while the mailbox talks
        with client.mailbox() as mailbox:
            for _ in range(MAX_BATCHES):
                polled = mailbox.poll(folder, state, batch=settings.mail_poll_batch,
                                      max_bytes=settings.mail_max_bytes)
                if not _store(session, row_id, token, backend_id, folder, polled,
                              settings.mail_poll_lease_seconds):
                    return f"{name}/{folder}: lease lost, another worker polls it"
                stored += len(polled.messages)
                if not polled.messages:
                    break
                state = polled.state
    except RemoteError as exc:
        session.rollback()
        _release(session, row_id, token, error=str(exc))
        log.warning("mail poll %s/%s: %s", backend_id, folder, exc)
        return f"#{backend_id}/{folder}: {exc}"
    except Exception as exc:  # a bug, or our database: nothing of this batch is kept
        session.rollback()
        _release(session, row_id, token, error=f"internal error: {type(exc).__name__}: {exc}")
        raise
    _release(session, row_id, token, stored=stored)
    return f"{name}/{folder}: {stored} new"


def folders_of(backend) -> list[str]:
    """The folders an account's options name (default: INBOX)."""
    return backend.options.get("folders", ["INBOX"])


def kept_state(session: Session, backend_id: int, folder: str) -> FolderState | None:
    """Where the last stored poll of a folder left it (None: never polled)."""
    row = session.scalar(select(MailFolder).where(MailFolder.backend_id == backend_id,
                                                  MailFolder.folder == folder))
    return None if row is None else _state_of(row)


def _state_of(row: MailFolder) -> FolderState | None:
    return (FolderState(row.uidvalidity, row.last_uid, row.cursor)
            if row.uidvalidity or row.cursor else None)


def _store(session: Session, row_id: int, token: str, backend_id: int, folder: str,
           polled: Polled, lease_seconds: int) -> bool:
    """The folder's new state and its messages, one transaction; False (and
    nothing written) when the lease went to another worker meanwhile."""
    now = utc_now()
    values = dict(uidvalidity=polled.state.uidvalidity, last_uid=polled.state.last_uid,
                  cursor=polled.state.cursor,
                  last_poll_at=now, lease_until=now + dt.timedelta(seconds=lease_seconds))
    if polled.notice:
        values["notice"] = polled.notice
    moved = session.execute(update(MailFolder).where(
        MailFolder.id == row_id, MailFolder.lease_token == token).values(**values)
        .execution_options(synchronize_session=False)).rowcount == 1  # the write comes first
    if not moved:
        session.rollback()
        return False
    for fetched in polled.messages:
        message_id = parse(fetched.raw).message_id
        hub.receive(session, MAIL_INBOUND, external_id(backend_id, message_id),
                    payload(backend_id, folder, fetched.uid, fetched.size, fetched.complete,
                            fetched.raw))
    session.commit()
    return True


def external_id(backend_id: int, message_id: str) -> str:
    """The account and the Message-ID (or the parser's sha256 of a mail
    without one); a hash of an id too long for the column."""
    found = f"{backend_id}:{message_id}"
    if len(found) <= EXTERNAL_ID_MAX:
        return found
    return f"{backend_id}:sha256:{hashlib.sha256(message_id.encode()).hexdigest()}"


def _folder_row(session: Session, backend_id: int, folder: str) -> int:
    query = select(MailFolder.id).where(MailFolder.backend_id == backend_id,
                                        MailFolder.folder == folder)
    found = session.scalar(query)
    if found is None:
        try:
            with session.begin_nested():
                session.add(MailFolder(backend_id=backend_id, folder=folder, last_uid=0,
                                       last_stored=0))
        except IntegrityError:  # another worker made it first
            pass
        found = session.scalar(query)
    session.commit()
    return found


def _take_lease(session: Session, row_id: int, token: str, lease_seconds: int) -> bool:
    now = utc_now()
    taken = session.execute(update(MailFolder).where(
        MailFolder.id == row_id,
        or_(MailFolder.lease_token.is_(None), MailFolder.lease_until < now))
        .values(lease_token=token, lease_until=now + dt.timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False)).rowcount == 1
    session.commit()
    return taken


def _release(session: Session, row_id: int, token: str, *, stored: int | None = None,
             error: str | None = None) -> None:
    now = utc_now()
    values: dict = dict(lease_token=None, lease_until=None)
    if error is None:
        values.update(last_poll_at=now, last_stored=stored or 0, last_error=None)
    else:
        values.update(last_error=error[:2000], last_error_at=now)
    session.execute(update(MailFolder).where(MailFolder.id == row_id,
                                             MailFolder.lease_token == token)
                    .values(**values).execution_options(synchronize_session=False))
    session.commit()


POLL = hub.Every(kind="mail_gateway.poll", run=poll_accounts, every_seconds=POLL_SECONDS)
