"""`/healthz` and `/readyz`, for a load balancer or an orchestrator.

- `/healthz`: 200 while the process serves; touches nothing.
- `/readyz`: 200 when the database answers, its schema is at the code's heads
  (the platform's and every installed addon's Alembic branch) and every check
  an extension added answers (the hub's broker); else 503. The JSON body
  names each check: "ok" or what is wrong.

Both are answered in WSGI, in front of Flask: no session cookie, no user
loaded, no addon gate, CSRF or login throttle, no audit row, no access line.
A readiness result is reused for `CACHE_SECONDS`, so probes from several
balancers cost the database one short read a second at most.

A branch the database holds revisions of that this code does not know counts
as ready: during a rolling upgrade the new release's expand migrations run
while this (older) code still serves (README, "Upgrading without downtime").
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from .. import migrate
from ..addons.manifest import version_tuple
from ..addons.models import INSTALLED, AddonModule
from ..db import READS_ONLY

CACHE_SECONDS = 1.0
OK = "ok"
Check = Callable[[], "str | None"]  # None when ready, else what is wrong


class Probes:
    """The WSGI app in front of Flask's that answers the two probe paths."""

    def __init__(self, inner, engine: Engine, script: ScriptDirectory,
                 code_versions: dict[str, str]):
        self.inner = inner
        self.checks: dict[str, Check] = {}
        self._reader = engine.execution_options(**{READS_ONLY: True})
        self._script = script
        self._code_versions = code_versions
        self._lock = threading.Lock()
        self._last: tuple[float, dict[str, str]] | None = None

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO")
        if path == "/healthz":
            return _answer(start_response, 200, {"status": OK})
        if path == "/readyz":
            checks = self.readiness()
            ready = all(v == OK for v in checks.values())
            return _answer(start_response, 200 if ready else 503,
                           {"status": "ready" if ready else "not ready", "checks": checks})
        return self.inner(environ, start_response)

    def readiness(self) -> dict[str, str]:
        with self._lock:
            now = time.monotonic()
            if self._last is None or now - self._last[0] >= CACHE_SECONDS:
                self._last = (now, self._check())
            return self._last[1]

    def _check(self) -> dict[str, str]:
        results = {}
        try:
            with self._reader.connect() as conn:
                results["database"] = OK
                behind = self._branches_behind(conn)
            results["migrations"] = OK if not behind else (
                f"behind the code: {', '.join(behind)} (run 'crossdock db upgrade')")
        except Exception as exc:  # noqa: BLE001 - whatever failed is the answer
            results.setdefault("database", _reason(exc))
            results.setdefault("migrations", "not checked: no database")
        for name, check in self.checks.items():
            try:
                results[name] = check() or OK
            except Exception as exc:  # noqa: BLE001
                results[name] = _reason(exc)
        return results

    def _branches_behind(self, conn) -> list[str]:
        installed = dict(conn.execute(
            select(AddonModule.name, AddonModule.installed_version)
            .where(AddonModule.state == INSTALLED)).all())
        heads = list(conn.scalars(text("SELECT version_num FROM alembic_version")))
        unknown = [h for h in heads if not _knows(self._script, h)]
        behind = migrate.branches_behind(self._script, heads,
                                         [migrate.PLATFORM, *sorted(installed)])
        return [b for b in behind if not self._database_ahead(b, installed.get(b), unknown)]

    def _database_ahead(self, branch: str, installed: str | None, unknown: list[str]) -> bool:
        """A newer release migrated this branch: its revisions are not in this code."""
        if branch == migrate.PLATFORM:
            return bool(unknown)
        code = self._code_versions.get(branch)
        return bool(code and installed) and version_tuple(installed) > version_tuple(code)


def _knows(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except CommandError:  # "Can't locate revision"
        return False


def _reason(exc: Exception) -> str:
    """The exception's type and first line (pika's often have no text: their repr)."""
    text = str(exc).strip() or repr(exc)
    return f"{type(exc).__name__}: {text.splitlines()[0]}"


def _answer(start_response, status: int, body: dict):
    payload = json.dumps(body).encode()
    start_response(f"{status} {'OK' if status == 200 else 'Service Unavailable'}",
                   [("Content-Type", "application/json"), ("Cache-Control", "no-store"),
                    ("Content-Length", str(len(payload)))])
    return [payload]


def init_app(app: Flask, engine: Engine, addon_dirs, code_versions: dict[str, str]) -> None:
    """Put the probes in front of the app (after the request timing: probes are not timed)."""
    script = ScriptDirectory.from_config(migrate.alembic_config(addon_dirs))
    app.wsgi_app = app.extensions["crossdock_probes"] = Probes(
        app.wsgi_app, engine, script, code_versions)


def add_readiness_check(app: Flask, name: str, check: Check) -> None:
    """`check()` returns None when ready, else a short reason (an exception's
    text counts as one); it is called at most once a second per process."""
    app.extensions["crossdock_probes"].checks[name] = check
