"""Which addons are active in this process, refreshed from the database.

Every process polls the registry counter (one indexed read, at most every
`addon_poll_seconds`) and reloads the installed set when it changed, so an
install or uninstall done anywhere takes effect everywhere within seconds.
Requests to an inactive addon's blueprints answer 404; its menu entries are
hidden by `is_active`, used as FAB's menu condition. An installed addon whose
code is newer than what the database holds ("to upgrade") is inactive too
until `crossdock addons upgrade` has run: its pages would otherwise query
columns that do not exist yet. Admins get a 404 that says so.
"""
from __future__ import annotations

import threading
import time

from collections.abc import Mapping, Set

from flask import abort, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import READS_ONLY
from .manifest import version_tuple
from .models import INSTALLED, AddonModule, registry_version


class AddonGate:
    def __init__(self, engine, poll_seconds: float, loaded: Mapping[str, str] | Set[str]):
        """`loaded`: the version of each mounted addon's code (a set: versions unknown)."""
        self._engine = engine
        self._poll = poll_seconds
        self._versions = dict(loaded) if isinstance(loaded, Mapping) else {}
        self._loaded = frozenset(loaded)
        self._lock = threading.Lock()
        self._active: frozenset[str] = frozenset()
        self._pending: frozenset[str] = frozenset()
        self._version: int | None = None
        self._checked = 0.0
        self.blueprint_owner: dict[str, str] = {}

    def refresh(self, force: bool = False) -> frozenset[str]:
        now = time.monotonic()
        if not force and now - self._checked < self._poll:
            return self._active
        # a read only: it never waits for a writer, so no thread holding the
        # write lock waits on this lock for long (core/db.py READS_ONLY)
        reader = self._engine.execution_options(**{READS_ONLY: True})
        with self._lock, Session(reader) as session:
            version = registry_version(session)
            if force or version != self._version:
                rows = session.execute(
                    select(AddonModule.name, AddonModule.installed_version)
                    .where(AddonModule.state == INSTALLED)).all()
                pending = {n for n, v in rows if n in self._loaded and self._newer(n, v)}
                self._active = (frozenset(n for n, _ in rows) & self._loaded) - pending
                self._pending = frozenset(pending)
                self._version = version
            self._checked = now
        return self._active

    def _newer(self, name: str, installed: str | None) -> bool:
        code = self._versions.get(name)
        return bool(code and installed) and version_tuple(code) > version_tuple(installed)

    def upgrade_pending(self, name: str) -> bool:
        """Installed and enabled, but its code waits for `crossdock addons upgrade`."""
        self.refresh()
        return name in self._pending

    def active(self) -> frozenset[str]:
        return self.refresh()

    def enabled(self) -> frozenset[str]:
        """Installed and enabled, those whose code here waits for an upgrade
        too: the roles' permissions are shared with the processes still
        running the older code (a rolling upgrade), which serve them."""
        return self.refresh() | self._pending

    def is_active(self, name: str) -> bool:
        return name in self.refresh()

    def before_request(self) -> None:
        owner = self.blueprint_owner.get(request.blueprint or "")
        if owner is not None and owner not in self.active():
            if self.upgrade_pending(owner) and _is_admin():
                from ..error_pages import error_page

                message = (f"Addon '{owner}': upgrade pending. Its new code waits for the "
                           f"database upgrade: run 'crossdock addons upgrade {owner}' (or "
                           "Upgrade on the Modules screen).")
                if request.path.startswith("/api/"):
                    return jsonify(message=message), 404
                return error_page(404, message)
            abort(404)
        return None


def _is_admin() -> bool:
    from flask_login import current_user

    user = current_user
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and any(r.name == "Admin" for r in getattr(user, "roles", ())))
