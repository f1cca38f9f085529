"""Which addons are active in this process, refreshed from the database.

Every process polls the registry counter (one indexed read, at most every
`addon_poll_seconds`) and reloads the installed set when it changed, so an
install or uninstall done anywhere takes effect everywhere within seconds.
Requests to an inactive addon's blueprints answer 404; its menu entries are
hidden by `is_active`, used as FAB's menu condition.
"""
from __future__ import annotations

import threading
import time

from flask import abort, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import INSTALLED, AddonModule, registry_version


class AddonGate:
    def __init__(self, engine, poll_seconds: float, loaded_names: set[str]):
        self._engine = engine
        self._poll = poll_seconds
        self._loaded = loaded_names
        self._lock = threading.Lock()
        self._active: frozenset[str] = frozenset()
        self._version: int | None = None
        self._checked = 0.0
        self.blueprint_owner: dict[str, str] = {}

    def refresh(self, force: bool = False) -> frozenset[str]:
        now = time.monotonic()
        if not force and now - self._checked < self._poll:
            return self._active
        with self._lock, Session(self._engine) as session:
            version = registry_version(session)
            if force or version != self._version:
                names = session.scalars(
                    select(AddonModule.name).where(AddonModule.state == INSTALLED))
                self._active = frozenset(names) & self._loaded
                self._version = version
            self._checked = now
        return self._active

    def active(self) -> frozenset[str]:
        return self.refresh()

    def is_active(self, name: str) -> bool:
        return name in self.refresh()

    def before_request(self) -> None:
        owner = self.blueprint_owner.get(request.blueprint or "")
        if owner is not None and owner not in self.active():
            abort(404)
