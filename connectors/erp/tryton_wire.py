"""Tryton's JSON-RPC, as trytond's own source has it
(trytond/protocols/dispatcher.py, jsonrpc.py, wrappers.py):

- `POST <url>/<database>/rpc/` with `{"id": n, "method": m, "params": [...]}`;
  the server-wide `common.server.version` is at `POST <url>/rpc/`.
- `common.db.login` with `[user, {"password": ...}, language]` answers
  `[user_id, token, bus_url]`; later calls send
  `Authorization: Session base64("user:user_id:token")`. A wrong password is
  HTTP 401 on login, an expired session HTTP 401 on any call (we log in again
  once), an unknown database HTTP 404, a method not exposed over RPC 403.
- Model methods are `model.<model>.<method>` with the method's arguments and
  the context last (`search_read(domain, offset, limit, order, fields, ctx)`,
  `create([values], ctx)`, buttons such as `quote([ids], ctx)`).
- Decimal, date and datetime travel as `{"__class__": "Decimal", "decimal": "1.50"}`,
  `{"__class__": "date", "year": .., "month": .., "day": ..}`.
- Failures come back as HTTP 200 with `"error"`: a TrytonException's args
  (`["UserError", [message, description, domain]]`, also for AccessError and
  validation errors; `["ConcurrencyException", message]`), or for an unexpected
  server exception `[str(exc), traceback]`.
"""
from __future__ import annotations

import base64
import datetime
import itertools
import json
from decimal import Decimal

import requests

from ..errors import PermanentError, TransientError
from ..http import send


def _encode(value):
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, datetime.datetime):
        return {"__class__": "datetime", "year": value.year, "month": value.month,
                "day": value.day, "hour": value.hour, "minute": value.minute,
                "second": value.second, "microsecond": value.microsecond}
    if isinstance(value, datetime.date):
        return {"__class__": "date", "year": value.year, "month": value.month,
                "day": value.day}
    raise TypeError(f"cannot send {type(value).__name__} to Tryton")


def _decode(obj: dict):
    kind = obj.get("__class__")
    if kind == "Decimal":
        return Decimal(obj["decimal"])
    if kind == "date":
        return datetime.date(obj["year"], obj["month"], obj["day"])
    if kind == "datetime":
        return datetime.datetime(obj["year"], obj["month"], obj["day"], obj["hour"],
                                 obj["minute"], obj["second"], obj["microsecond"])
    return obj


class TrytonWire:
    """One Tryton database's JSON-RPC: login, calls with our context, errors
    classified (see the module docstring)."""

    def __init__(self, url: str, database: str, username: str, secret: str,
                 options: dict | None = None):
        self.url = url.rstrip("/")
        self.database = database
        self.username = username
        self.secret = secret
        self.options = dict(options or {})
        self.what = f"Tryton at {self.url} (database {database})"
        self.timeout = (5.0, float(self.options.get("timeout", 30)))
        self.http = requests.Session()
        self._ids = itertools.count(1)
        self._auth: str | None = None
        self.context: dict = {}

    def _post(self, path: str, method: str, params: list, auth: str | None):
        body = json.dumps({"id": next(self._ids), "method": method, "params": params},
                          default=_encode)
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = auth
        return send(self.http, "POST", f"{self.url}/{path}", what=self.what,
                    timeout=self.timeout, data=body.encode(), headers=headers)

    def _answer(self, response: requests.Response, method: str):
        if response.status_code == 404:
            raise PermanentError(f"{self.what}: no such database (HTTP 404); "
                                 f"check the backend's database name")
        if response.status_code == 403:
            raise PermanentError(f"{self.what}: {method} is not allowed over RPC "
                                 f"for user {self.username} (HTTP 403)")
        if response.status_code >= 400:
            raise PermanentError(f"{self.what}: {method} refused with HTTP "
                                 f"{response.status_code} {response.reason or ''}".rstrip())
        try:
            data = json.loads(response.content, object_hook=_decode)
        except ValueError as exc:
            raise TransientError(f"{self.what}: {method} answered something that is "
                                 f"not JSON-RPC ({response.text[:120]!r})") from exc
        if "error" in data and data["error"] is not None:
            raise self._error(method, data["error"])
        return data.get("result")

    def _error(self, method: str, error) -> Exception:
        kind, args = (error + [None, None])[:2] if isinstance(error, list) else (error, None)
        if kind == "UserError" and isinstance(args, list):
            message, description = args[0], args[1] if len(args) > 1 else ""
            text = f"{message} {description}".strip()
            return PermanentError(f"{self.what}: Tryton refused {method}: {text}")
        if kind == "UserWarning" and isinstance(args, list):
            return PermanentError(f"{self.what}: Tryton asks to confirm a warning on "
                                  f"{method}: {args[1] if len(args) > 1 else args}")
        if kind == "ConcurrencyException":
            return TransientError(f"{self.what}: {method} clashed with another "
                                  f"change in Tryton ({args})")
        if kind == "LoginException":
            return PermanentError(f"{self.what}: Tryton asks for more login "
                                  f"parameters ({args}); not supported")
        text = str(kind)
        if "locked" in text.lower():  # SQLite/PostgreSQL lock: worth retrying
            return TransientError(f"{self.what}: {method}: {text}")
        return PermanentError(f"{self.what}: server error in {method}: {text[:300]}")

    def login(self) -> None:
        """Log in and read the user's company (our context for every call)."""
        params = [self.username, {"password": self.secret},
                  self.options.get("language", "en")]
        response = self._post(f"{self.database}/rpc/", "common.db.login", params, None)
        if response.status_code == 401:
            raise PermanentError(f"wrong user or password for Tryton database "
                                 f"{self.database} at {self.url} (user {self.username})")
        user_id, token = self._answer(response, "common.db.login")[:2]
        session = f"{self.username}:{user_id}:{token}".encode()
        self._auth = "Session " + base64.b64encode(session).decode()
        preferences = self._call_once("model.res.user.get_preferences", [True, {}])
        self.context = {"company": self.options.get("company") or preferences.get("company"),
                        "language": preferences.get("language")}

    def _call_once(self, method: str, params: list):
        response = self._post(f"{self.database}/rpc/", method, params, self._auth)
        if response.status_code == 401:
            raise _SessionExpired()
        return self._answer(response, method)

    def call(self, method: str, *args):
        """Call a model method with our context appended; log in on first use
        and once more when Tryton says the session expired."""
        if self._auth is None:
            self.login()
        try:
            return self._call_once(method, [*args, self.context])
        except _SessionExpired:
            self.login()
            try:
                return self._call_once(method, [*args, self.context])
            except _SessionExpired:
                raise PermanentError(f"{self.what}: user {self.username} is logged in "
                                     f"but refused for {method}") from None

    def search_read(self, model: str, domain: list, fields: list[str],
                    order: list | None = None, limit: int | None = None) -> list[dict]:
        return self.call(f"model.{model}.search_read", domain, 0, limit, order, fields)

    def server_version(self) -> str:
        return self._answer(self._post("rpc/", "common.server.version", [], None),
                            "common.server.version")


class _SessionExpired(Exception):
    """Tryton answered 401 to a call made with a session."""
