"""IMAP IDLE (RFC 2177): a mail in a watched folder is polled within about a
second rather than at the next round (`IDLE_WATCH`, a `hub.Watch`: only the
elected scheduler's process holds the connections, one per IMAP account and
folder).

The watcher only says *when*: it runs `polling.poll_folder`, the scheduled
poll's own code, with its lease, its (UIDVALIDITY, last UID) and its
Message-ID dedupe, so nothing it does can store a mail twice or skip one;
the scheduled poll stays the fallback (a server without IDLE, a dropped
connection, a missed announcement). Per folder:

1. connect; a server that does not offer IDLE is left to the scheduled poll
   (said once, at INFO);
2. `wait_for_new` after the folder's kept state: at once when the folder
   holds mail the kept state has not seen (it came while nobody watched),
   else IDLE until the server announces a message; re-issued every
   RENEW_SECONDS, under RFC 2177's 29 minutes and most NAT timeouts;
3. poll the folder; when the poll moved nothing (another worker holds the
   folder, or the poll failed and said so on Mail > Mailboxes), pause before
   asking again, twice as long each time, up to the poll interval;
4. a lost connection or a refused login: one log line, then connect again
   after 1, 2, 4 ... up to RECONNECT_LONGEST seconds.

Accounts are read again every FOLLOW_SECONDS: a new or re-enabled `mail`
account is watched, a removed or disabled one no longer, a changed one
(server, login, folders) afresh. Microsoft 365 and Gmail accounts are APIs
without IDLE: polled only. `CROSSDOCK_MAIL_IDLE=false` switches it off.
"""
from __future__ import annotations

import logging
import threading

from connectors import hub
from connectors.backend_kinds import IMAP_KINDS
from core.db import db

from ..settings import MailGatewaySettings
from .polling import POLL_SECONDS, folders_of, kept_state, poll_folder

log = logging.getLogger(__name__)
RENEW_SECONDS = 9 * 60
FOLLOW_SECONDS = 10.0
RECONNECT_FIRST, RECONNECT_LONGEST = 1.0, 300.0
STALLED_FIRST = 2.0
STOP_TIMEOUT = 5.0


def watch_accounts(app, stop: threading.Event) -> None:
    """The `hub.Watch`: a thread per IMAP account and folder until `stop`."""
    if not app.extensions["crossdock"].settings.section(MailGatewaySettings).mail_idle:
        log.info("mail: IMAP IDLE is off (CROSSDOCK_MAIL_IDLE); folders are polled every %d s",
                 POLL_SECONDS)
        stop.wait()
        return
    watching: dict[tuple[int, str], FolderWatch] = {}
    database_down = False
    try:
        while not stop.is_set():
            try:
                wanted = _imap_folders(app)
                database_down = False
            except Exception as exc:  # noqa: BLE001 - the database; keep what runs, try again
                if not database_down:
                    log.warning("mail: IDLE cannot read the mail accounts (%s); trying again "
                                "every %d s", exc, FOLLOW_SECONDS)
                database_down = True
                wanted = {key: (watch.name, watch.account) for key, watch in watching.items()}
            for key in [k for k, w in watching.items()
                        if k not in wanted or _login(wanted[k][1]) != _login(w.account)]:
                watching.pop(key).stop_and_join()
            for key, (name, account) in wanted.items():
                if key not in watching:
                    watching[key] = FolderWatch(app, *key, name, account)
            stop.wait(FOLLOW_SECONDS)
    finally:
        for watch in watching.values():
            watch.stop.set()
        for watch in watching.values():
            watch.stop_and_join()


def _imap_folders(app) -> dict:
    """{(backend id, folder): (account name, its client)} of the active IMAP
    accounts; an account that cannot be built is skipped (its scheduled poll
    says why on Mail > Mailboxes)."""
    with app.app_context():
        try:
            found = {}
            for backend in hub.active_backends(db.session, IMAP_KINDS):
                try:
                    account = hub.client_of(backend)
                except ValueError:
                    continue
                found.update({(backend.id, folder): (backend.name, account)
                              for folder in folders_of(backend)})
            return found
        finally:
            db.session.remove()


def _login(account) -> tuple:
    """What an IMAP connection is made of: a change means watching afresh."""
    return (account.imap_host, account.imap_port, account.imap_ssl, account.username,
            account.password)


class FolderWatch:
    """One folder of one account, IDLE in a thread of its own."""

    def __init__(self, app, backend_id: int, folder: str, name: str, account):
        self.app, self.backend_id, self.folder = app, backend_id, folder
        self.name, self.label, self.account = name, f"{name}/{folder}", account
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"crossdock-mail-idle-{self.label}")
        self.thread.start()

    def stop_and_join(self) -> None:
        self.stop.set()
        self.thread.join(STOP_TIMEOUT)

    def _run(self) -> None:
        self.failures = 0  # in a row; the first wait that works ends the series
        while not self.stop.is_set():
            try:
                with self.account.mailbox() as mailbox:
                    if not mailbox.offers_idle():
                        log.info("mail: %s offers no IDLE; %s is polled every %d s",
                                 mailbox.what, self.label, POLL_SECONDS)
                        self.stop.wait()
                        return
                    self._watch(mailbox)
            except Exception as exc:  # noqa: BLE001 - the scheduled poll goes on meanwhile
                self.failures += 1
                delay = min(RECONNECT_FIRST * 2 ** (self.failures - 1), RECONNECT_LONGEST)
                log.warning("mail: IDLE on %s: %s; connecting again in %.0f s", self.label,
                            exc if str(exc) else type(exc).__name__, delay)
                self.stop.wait(delay)

    def _watch(self, mailbox) -> None:
        pause = STALLED_FIRST
        while not self.stop.is_set():
            state = self._in_session(kept_state)
            found = mailbox.wait_for_new(self.folder, state, timeout=RENEW_SECONDS,
                                         stop=self.stop)
            if self.failures:
                log.info("mail: IDLE on %s again", self.label)
                self.failures = 0
            if not found or self.stop.is_set():
                continue  # renewed the IDLE, or stopping
            self._in_session(poll_folder)
            if self._in_session(kept_state) != state:
                pause = STALLED_FIRST
                continue
            self.stop.wait(pause)
            pause = min(pause * 2, POLL_SECONDS)

    def _in_session(self, step):
        with self.app.app_context():
            try:
                return step(db.session, self.backend_id, self.folder)
            finally:
                db.session.remove()


IDLE_WATCH = hub.Watch(kind="mail_gateway.idle", watch=watch_accounts)
