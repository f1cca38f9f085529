"""A real IMAP server for tests: Debian's dovecot, with its own config.

One server per test session (per xdist worker) on a free loopback port, its
config, maildirs and passwd-file in a fresh folder under the system temp
dir, no TLS; the `dovecot` fixture gives each test an account of its own
(a new mailbox) on it. It never needs root: run by root (as CI is), dovecot is
started as the unprivileged `dovecot` user the Debian package creates, and
the folder is that user's; otherwise as whoever runs the tests.
`deliver(raw, folder)` puts a mail in the mailbox the way an MTA's delivery
would (IMAP APPEND with stdlib imaplib, not the client under test);
`stop()` / `start()` restart it on the same port and maildirs (connections
closed).
"""
from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.mail.ports import free_port

PASSWORD = "crossdock-test-mail"
ACCOUNTS = 100  # made before the start: dovecot may miss a passwd-file changed within a second
START_TIMEOUT = 15
RUN_AS = "dovecot"  # when the tests run as root


def _binary() -> str:
    found = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists()
                                        else None)
    if not found:
        pytest.fail("dovecot is not installed: run `.ci/setup --test` (Debian's dovecot-imapd)")
    return found


class DovecotServer:
    def __init__(self, workdir: Path, account: pwd.struct_passwd):
        self.workdir, self.account = workdir, account
        self.host, self.port = "127.0.0.1", free_port()
        self.username, self.password = "", PASSWORD
        self.accounts = 0
        self.process: subprocess.Popen | None = None
        for sub in ("run", "state", "mail"):
            (workdir / sub).mkdir()
        (workdir / "users").write_text("".join(
            f"support{n}:{{PLAIN}}{PASSWORD}::::{workdir / 'mail' / f'support{n}'}\n"
            for n in range(1, ACCOUNTS + 1)))
        (workdir / "dovecot.conf").write_text(_config(workdir, self.port, account))
        (workdir / "dovecot.log").touch()  # before the chown: dovecot appends to it
        if os.geteuid() == 0:
            for path in (workdir, *workdir.rglob("*")):
                os.chown(path, account.pw_uid, account.pw_gid)

    def start(self) -> None:
        as_user = {}
        if os.geteuid() == 0:
            as_user = {"user": self.account.pw_uid, "group": self.account.pw_gid,
                       "extra_groups": []}
        with open(self.workdir / "dovecot.log", "ab") as log:  # what it says before logging starts
            self.process = subprocess.Popen(  # a session of its own: stop() ends all of it
                [_binary(), "-F", "-c", str(self.workdir / "dovecot.conf")],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **as_user)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"dovecot exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"dovecot did not answer within {START_TIMEOUT}s:\n{self.log_tail()}")

    def new_account(self) -> None:
        """A fresh mailbox for the next test: `username` becomes it."""
        self.accounts += 1
        assert self.accounts <= ACCOUNTS, "more mail tests than accounts: raise ACCOUNTS"
        self.username = f"support{self.accounts}"

    def stop(self) -> None:
        """Stop the master and every process it started: the clients'
        connections close, as in a restart (terminating the master alone
        leaves the `imap` processes serving them)."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def imap(self) -> imaplib.IMAP4:
        """A logged-in stdlib connection, to deliver and rearrange as people
        and MTAs do."""
        connection = imaplib.IMAP4(self.host, self.port)
        connection.login(self.username, self.password)
        return connection

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        connection = self.imap()
        try:
            status, answer = connection.append(folder, None, None, raw)
            assert status == "OK", answer
        finally:
            connection.logout()

    def log_tail(self, size: int = 4000) -> str:
        log = self.workdir / "dovecot.log"
        return log.read_bytes()[-size:].decode(errors="replace") if log.exists() else ""


def _config(workdir: Path, port: int, account: pwd.struct_passwd) -> str:
    user, group = account.pw_name, _group_name(account.pw_gid)
    return f"""\
base_dir = {workdir}/run
state_dir = {workdir}/state
log_path = {workdir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:~/Maildir
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {workdir}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {workdir}/users
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def _group_name(gid: int) -> str:
    return grp.getgrgid(gid).gr_name


def _account() -> pwd.struct_passwd:
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    try:
        return pwd.getpwnam(RUN_AS)
    except KeyError:
        pytest.fail(f"no `{RUN_AS}` user to run dovecot as (Debian's dovecot-core makes it): "
                    f"run `.ci/setup --test`")


@pytest.fixture(scope="session")
def dovecot_server():
    workdir = Path(tempfile.mkdtemp(prefix="crossdock-dovecot-"))
    server = DovecotServer(workdir, _account())
    server.start()
    yield server
    server.stop()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def dovecot(dovecot_server):
    dovecot_server.new_account()
    if dovecot_server.process is None:  # a test stopped it and failed before starting it
        dovecot_server.start()
    return dovecot_server
