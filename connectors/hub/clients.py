"""Protocol clients for backends, one per backend configuration and thread.

A client holds a login session (Tryton's, say), so reusing it saves a login
per job; it is rebuilt when the backend's settings change. Per thread because
requests sessions are not meant to be shared across threads.
"""
from __future__ import annotations

import hashlib
import json
import threading

from connectors.backend_kinds import make_client

_local = threading.local()


def _fingerprint(config: dict) -> str:
    raw = "\x1f".join(f"{k}={config[k]}" for k in sorted(config))
    return hashlib.sha256(raw.encode()).hexdigest()


def backend_config(backend) -> dict:
    """The plain values a client needs, read while the backend row is loaded."""
    return {"id": backend.id, "kind": backend.kind, "url": backend.url,
            "database": backend.database or "", "username": backend.username or "",
            "secret": backend.secret or "", "options": backend.options_json or ""}


def client_for(config: dict):
    cache = getattr(_local, "clients", None)
    if cache is None:
        cache = _local.clients = {}
    key = (config["id"], _fingerprint(config))
    client = cache.get(key)
    if client is None:
        options = json.loads(config["options"]) if config["options"] else {}
        client = make_client(config["kind"], config["url"], config["database"],
                             config["username"], config["secret"], options)
        if len(cache) > 32:  # settings changed many times: drop the stale clients
            cache.clear()
        cache[key] = client
    return client


def client_of(backend):
    """The protocol client a backend row describes (cached per thread, rebuilt
    when its settings change; building it talks to nobody): for an addon's
    own use of a backend outside a job, with no transaction held across a
    remote call."""
    return client_for(backend_config(backend))
