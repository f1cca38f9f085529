"""A throwaway RabbitMQ node for tests (Debian's `rabbitmq-server`): the fixture `rabbitmq`.

Everything of its own so that parallel test workers and the packaged service
never meet: node name, AMQP and distribution ports, an epmd on its own port
(started here, so it is ours to stop), data and log folders, an empty plugins
file (no management plugin) and a cookie in its own HOME. It runs in the
foreground in a session of its own: stopping it kills the Erlang VM and its
helpers, then its epmd. Nothing of it survives the test.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.hub_processes import free_port

SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")  # the script, without the su wrapper
EPMD = Path("/usr/bin/epmd")
START_TIMEOUT = 60  # seconds; about 4.5 s on 2 idle cores (bench: see the README)


class RabbitServer:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port, self.dist_port, self.epmd_port = free_port(), free_port(), free_port()
        self.node = f"crossdock-{uuid.uuid4().hex[:8]}@localhost"
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"
        self.log = workdir / "rabbitmq.log"
        self.process: subprocess.Popen | None = None
        self.epmd: subprocess.Popen | None = None

    def _env(self) -> dict[str, str]:
        (self.workdir / "enabled_plugins").write_text("[].\n")
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.workdir),
                "LANG": "C.UTF-8", "ERL_EPMD_PORT": str(self.epmd_port),
                "RABBITMQ_NODENAME": self.node, "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
                "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_MNESIA_BASE": str(self.workdir / "mnesia"),
                "RABBITMQ_LOG_BASE": str(self.workdir / "log"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.workdir / "enabled_plugins"),
                "RABBITMQ_PLUGINS_EXPAND_DIR": str(self.workdir / "plugins-expand"),
                "RABBITMQ_PID_FILE": str(self.workdir / "rabbitmq.pid"),
                # not /etc/rabbitmq's files
                "RABBITMQ_CONF_ENV_FILE": str(self.workdir / "rabbitmq-env.conf"),
                "RABBITMQ_CONFIG_FILE": str(self.workdir / "rabbitmq"),
                "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.workdir / "advanced.config")}

    def start(self) -> float:
        """Starts the node; the seconds until it answered an AMQP handshake."""
        if not SERVER.exists():
            pytest.fail("RabbitMQ is not installed: apt-get install rabbitmq-server "
                        "(.ci/setup --test does)")
        started = time.monotonic()
        self.epmd = subprocess.Popen([str(EPMD), "-port", str(self.epmd_port),
                                      "-address", "127.0.0.1"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen([str(SERVER)], env=self._env(), cwd=self.workdir,
                                            stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = started + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.kill()
                raise AssertionError(f"rabbitmq-server exited with {self.process.returncode}:"
                                     f"\n{self.log.read_text(errors='replace')[-3000:]}")
            if self._answers():
                return time.monotonic() - started
            time.sleep(0.2)
        self.kill()
        raise AssertionError(f"rabbitmq-server did not accept AMQP within {START_TIMEOUT}s:\n"
                             f"{self.log.read_text(errors='replace')[-3000:]}")

    def _answers(self) -> bool:
        """A full AMQP handshake (the port opens before the node serves)."""
        import pika
        from pika.exceptions import AMQPError

        try:
            pika.BlockingConnection(pika.URLParameters(
                self.url + "?connection_attempts=1&socket_timeout=1")).close()
            return True
        except (AMQPError, OSError):
            return False

    def kill(self) -> None:
        if self.process is not None:
            try:  # the VM and its helpers (erl_child_setup, inet_gethost), whatever state
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
        if self.epmd is not None and self.epmd.poll() is None:
            self.epmd.kill()
            self.epmd.wait()


@pytest.fixture
def rabbitmq(tmp_path):
    """A throwaway RabbitMQ node for the test (tests/conftest.py makes it a fixture everywhere)."""
    workdir = tmp_path / "rabbitmq"
    workdir.mkdir()
    server = RabbitServer(workdir)
    server.start()
    yield server
    server.kill()
