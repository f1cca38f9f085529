"""An IMAP mailbox read by UID: nothing read twice, nothing skipped.

The guarantees, given that the caller keeps `FolderState` in the same
transaction as what it made of the messages:
1. `poll` returns the messages whose UID is above `state.last_uid`, oldest
   first, and the state to keep once they are stored; a restart (a new
   `ImapMailbox`, another worker) with the kept state goes on from there.
   Messages are read with BODY.PEEK: nothing is marked \\Seen or moved, the
   mailbox stays as people left it.
2. UIDs mean something only with the folder's UIDVALIDITY. When it changed
   (the folder was rebuilt or restored on the server), the kept UIDs are
   meaningless: the folder is read again from its start, and `Polled.notice`
   says so in words; the caller refuses the ones it already has by
   Message-ID.
3. A batch is bounded (`batch` messages, `batch_bytes`), the rest comes at
   the next poll; a message over `max_bytes` is not downloaded: its header
   alone is returned with `complete=False` (for the caller to say it was too
   large), and it still counts as read.
4. Trouble is `TransientError` (connection, timeout, a server that says
   [UNAVAILABLE]/[INUSE]/[LIMIT]/[SERVERBUG]) or `PermanentError` (login
   refused, no such folder), with the server's words; the connection is
   dropped on either and made again on the next call.
"""
from __future__ import annotations

import socket
import ssl as ssl_module
import threading
import time
from contextlib import contextmanager

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from ..errors import PermanentError, TransientError
from .polled import MAX_BYTES, Fetched, FolderState, Polled

_TRANSIENT_CODES = ("[UNAVAILABLE]", "[INUSE]", "[LIMIT]", "[SERVERBUG]")
_STOP_CHECK_SECONDS = 1.0  # how soon `wait_for_new` notices its stop event
_SETTLE_SECONDS = 1.5  # the first, short IDLE of `wait_for_new`


class ImapMailbox:
    """One account's mailbox; `ssl`: implicit TLS (port 993). Use as a
    context manager, or `close()` it."""

    def __init__(self, host: str, port: int, *, ssl: bool = True, username: str,
                 password: str, timeout: float = 30.0):
        self.host, self.port, self.ssl = host, port, ssl
        self.username, self.password, self.timeout = username, password, timeout
        self._imap: IMAPClient | None = None

    @property
    def what(self) -> str:
        return f"IMAP server {self.host}:{self.port}"

    def poll(self, folder: str = "INBOX", state: FolderState | None = None, *,
             batch: int = 100, batch_bytes: int = 50 * 1024 * 1024,
             max_bytes: int = MAX_BYTES) -> Polled:
        """The messages after `state` (all of them when None) and the new state."""
        with self._talking(f"reading {folder}") as imap:
            selected = imap.select_folder(folder, readonly=True)
            uidvalidity = int(selected[b"UIDVALIDITY"])
            after, notice = 0, None
            if state is not None and state.uidvalidity == uidvalidity:
                after = state.last_uid
            elif state is not None:
                notice = (f"{self.what}: {folder} was rebuilt on the server (UIDVALIDITY "
                          f"{state.uidvalidity} -> {uidvalidity}); reading it again from the "
                          f"start, messages already received are recognised by Message-ID")
            kept = FolderState(uidvalidity, after)
            uid_next = selected.get(b"UIDNEXT")
            if uid_next is not None and int(uid_next) <= after + 1:
                return Polled([], kept, notice)
            # "n:*" always matches the highest UID, even below n: filter
            uids = sorted(uid for uid in imap.search(["UID", f"{after + 1}:*"]) if uid > after)
            if not uids:
                # the UIDs up to UIDNEXT were expunged unread: they never come back, and
                # keeping them "unread" would make `wait_for_new` answer at once forever
                if uid_next is not None:
                    kept = FolderState(uidvalidity, max(after, int(uid_next) - 1))
                return Polled([], kept, notice)
            sizes = {uid: data[b"RFC822.SIZE"]
                     for uid, data in imap.fetch(uids[:batch], ["RFC822.SIZE"]).items()}
            chosen = _within(sorted(sizes), sizes, batch_bytes, max_bytes)
            if not chosen:
                return Polled([], kept, notice)
            messages = self._fetch(imap, chosen, sizes, max_bytes)
            return Polled(messages, FolderState(uidvalidity, chosen[-1]), notice)

    def wait_for_new(self, folder: str = "INBOX", state: FolderState | None = None,
                     timeout: float = 600.0, stop: threading.Event | None = None) -> bool:
        """Block until the folder has mail after `state`, `timeout` seconds
        pass (keep it under the 29 minutes RFC 2177 allows) or `stop` is set
        (checked every second); True when there may be new mail. With IDLE
        the server says when mail arrives; without it this only waits, and
        the caller polls after it. A connection the server closed meanwhile
        is a `TransientError`, as in `poll`.

        A mail that lands while the IDLE begins can go unannounced (dovecot,
        seen in bench/mail_gateway.py: a change within the second it last
        looked, announced only by its 30 s check), so the first IDLE lasts
        _SETTLE_SECONDS, then the folder is opened again (a full look) before
        the long one."""
        deadline = time.monotonic() + timeout
        with self._talking(f"waiting on {folder}") as imap:
            if _has_new(imap, folder, state):
                return True
            if not imap.has_capability("IDLE"):
                (stop or threading.Event()).wait(timeout)
                return True
            settled = min(deadline, time.monotonic() + _SETTLE_SECONDS)
            if _idle(imap, settled, stop) or _has_new(imap, folder, state):
                return True
            return _idle(imap, deadline, stop)

    def offers_idle(self) -> bool:
        """Whether the server offers IDLE (RFC 2177) to this login."""
        with self._talking("reading its capabilities") as imap:
            return imap.has_capability("IDLE")

    def test_connection(self) -> str:
        """Log in and look at INBOX; one line saying what answered."""
        with self._talking("testing the account") as imap:
            selected = imap.select_folder("INBOX", readonly=True)
            idle = "IDLE offered" if imap.has_capability("IDLE") else "no IDLE (polled)"
            return (f"{self.what} ({'SSL' if self.ssl else 'no TLS'}) as {self.username}: "
                    f"INBOX holds {int(selected[b'EXISTS'])} messages, {idle}")

    def close(self) -> None:
        if self._imap is not None:
            try:
                self._imap.logout()
            except (IMAPClientError, OSError):
                self._imap.shutdown()
            self._imap = None

    def __enter__(self) -> ImapMailbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _fetch(self, imap: IMAPClient, uids: list[int], sizes: dict[int, int],
               max_bytes: int) -> list[Fetched]:
        whole = [uid for uid in uids if sizes[uid] <= max_bytes]
        heads = [uid for uid in uids if sizes[uid] > max_bytes]
        found = {}
        if whole:
            for uid, data in imap.fetch(whole, ["BODY.PEEK[]"]).items():
                found[uid] = Fetched(uid, sizes[uid], data[b"BODY[]"], True)
        if heads:
            for uid, data in imap.fetch(heads, ["BODY.PEEK[HEADER]"]).items():
                found[uid] = Fetched(uid, sizes[uid], data[b"BODY[HEADER]"], False)
        return [found[uid] for uid in uids if uid in found]  # expunged meanwhile: gone

    @contextmanager
    def _talking(self, doing: str):
        try:
            if self._imap is None:
                self._imap = IMAPClient(self.host, self.port, ssl=self.ssl, timeout=self.timeout)
                self._imap.login(self.username, self.password)
            yield self._imap
        except LoginError as exc:
            self._drop()
            raise PermanentError(f"{self.what}: login refused for {self.username}: "
                                 f"{_words(exc)}; check the account's user name and password") from exc
        except IMAPClientAbortError as exc:
            self._drop()
            raise TransientError(f"{self.what}: connection lost while {doing} ({_words(exc)})") from exc
        except IMAPClientError as exc:
            self._drop()
            words = _words(exc)
            if any(code in words for code in _TRANSIENT_CODES):
                raise TransientError(f"{self.what}, {doing}: {words}") from exc
            raise PermanentError(f"{self.what}, {doing}: {words}") from exc
        except ssl_module.SSLCertVerificationError as exc:
            self._drop()
            raise PermanentError(f"{self.what}: its TLS certificate is not trusted "
                                 f"({exc.verify_message})") from exc
        except (socket.timeout, TimeoutError) as exc:
            self._drop()
            raise TransientError(f"{self.what}: no answer in time while {doing}") from exc
        except OSError as exc:
            self._drop()
            raise TransientError(f"{self.what}: cannot talk to it while {doing} ({exc})") from exc

    def _drop(self) -> None:
        if self._imap is not None:
            try:
                self._imap.shutdown()
            except OSError:
                pass
            self._imap = None


def _has_new(imap: IMAPClient, folder: str, state: FolderState | None) -> bool:
    """Open the folder; whether it holds mail after `state` (UIDNEXT), or
    was rebuilt (UIDVALIDITY)."""
    selected = imap.select_folder(folder, readonly=True)
    uid_next = selected.get(b"UIDNEXT")
    return state is None or int(selected[b"UIDVALIDITY"]) != state.uidvalidity or (
        uid_next is not None and int(uid_next) > state.last_uid + 1)


def _idle(imap: IMAPClient, deadline: float, stop: threading.Event | None) -> bool:
    """IDLE until the server announces a message (EXISTS/RECENT), the
    deadline, or `stop`; other announcements (flags, expunges, "still here")
    keep it waiting. On an error the connection is dropped, not ended."""
    imap.idle()
    while True:
        now = time.monotonic()
        if now >= deadline or (stop is not None and stop.is_set()):
            return _announces_mail(imap.idle_done()[1])
        wait = deadline - now if stop is None else min(deadline - now, _STOP_CHECK_SECONDS)
        responses = imap.idle_check(timeout=wait)
        if _announces_mail(responses):
            imap.idle_done()
            return True
        if not responses and time.monotonic() - now < wait / 2:
            # woken with nothing to read: a closed connection (idle_check
            # swallows the EOF) or half a line; ending the IDLE tells which
            if _announces_mail(imap.idle_done()[1]):
                return True
            imap.idle()


def _announces_mail(responses) -> bool:
    return any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)


def _within(uids: list[int], sizes: dict[int, int], batch_bytes: int, max_bytes: int) -> list[int]:
    """The first UIDs whose downloads fit in `batch_bytes` (at least one;
    a message over `max_bytes` costs only its header)."""
    chosen, total = [], 0
    for uid in uids:
        cost = min(sizes[uid], max_bytes)
        if chosen and total + cost > batch_bytes:
            break
        chosen.append(uid)
        total += cost
    return chosen


def _words(exc: Exception) -> str:
    text = str(exc)
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    return " ".join(text.split())
