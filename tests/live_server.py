"""A real Crossdock server: the installed `crossdock run` command as a subprocess.

On a free port, with its own instance directory (default SQLite database,
copied from the tests' migrated template) and the tests' example addons; the
admin password is read from what it prints.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
REPO = TESTS_DIR.parent
EXAMPLE_ADDONS = TESTS_DIR / "addons"
ADMIN_LINE = re.compile(r"^Admin login: (\S+) / (\S+)\s*$", re.MULTILINE)
START_TIMEOUT = 60  # seconds for the server to print the password and answer


@dataclass
class Server:
    url: str
    port: int
    username: str
    password: str
    instance: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def crossdock_command() -> list[str]:
    script = Path(sys.executable).parent / "crossdock"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from core.cli import main; main()"]


def _beside(server, command: list[str]) -> str:
    """`command` run on the server's instance (its SQLite database), as an
    operator beside the running server; its output, or the test fails."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    env.update(CROSSDOCK_INSTANCE_PATH=str(server.instance),
               CROSSDOCK_ADDONS_PATH=str(EXAMPLE_ADDONS))
    out = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=180)
    assert out.returncode == 0, out.stderr
    return out.stdout


def cli(server, *args) -> str:
    """The `crossdock` command beside the running server."""
    return _beside(server, [*crossdock_command(), *args])


def run_script(server, script: str, *args) -> str:
    """Python code beside the running server (a test's seed rows)."""
    return _beside(server, [sys.executable, "-c", script, *args])


def _port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def running_server(template: Path) -> Iterator[Server]:
    """A Crossdock server process on a copy of the SQLite file `template`,
    stopped (terminate, wait) when the block ends; fails the test if it does
    not come up or if it logged a traceback."""
    root = Path(tempfile.mkdtemp(prefix="crossdock-browser-"))
    instance = root / "instance"
    instance.mkdir()
    shutil.copyfile(template, instance / "crossdock.sqlite")
    out_path, err_path = root / "stdout.log", root / "stderr.log"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    env.update(CROSSDOCK_INSTANCE_PATH=str(instance),
               CROSSDOCK_ADDONS_PATH=str(EXAMPLE_ADDONS),
               PYTHONUNBUFFERED="1")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen([*crossdock_command(), "run", "--port", str(port)],
                                cwd=REPO, env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        credentials = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"crossdock run exited with {proc.returncode}:\n"
                            f"{out_path.read_text()}\n{err_path.read_text()}")
            if credentials is None:
                credentials = ADMIN_LINE.search(out_path.read_text())
            if credentials and _port_answers(port):
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"crossdock run did not come up within {START_TIMEOUT}s:\n"
                        f"{out_path.read_text()}\n{err_path.read_text()}")
        yield Server(f"http://127.0.0.1:{port}", port, credentials.group(1),
                     credentials.group(2), instance, err_path)
        # A page can look fine while the server logged a crash behind it.
        log = err_path.read_text()
        assert "Traceback" not in log, f"the server logged an error:\n{log}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def server(request):
    """A fresh Crossdock server process, stopped after the test.
    Its SQLite database starts as a copy of the migrated template (no users)."""
    with running_server(request.getfixturevalue("sqlite_templates").get(())) as srv:
        yield srv
