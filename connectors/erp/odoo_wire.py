"""The two wire protocols an Odoo backend may speak, behind one `call()`.

- `Json2Wire` (default, Odoo 19+), per "External JSON-2 API"
  (odoo/documentation content/developer/reference/external_api.rst):
  `POST <url>/json/2/<model>/<method>`, `Authorization: bearer <API key>`,
  `X-Odoo-Database: <db>` when a database is configured; the body holds
  `ids`, `context` and the method's named parameters; the answer is the
  return value. Errors are 4xx/5xx with {name, message, arguments, context,
  debug} (status from odoo/exceptions.py: UserError/ValidationError 422,
  AccessError/AccessDenied 403, MissingError 404; a bad key 401 "Invalid
  apikey").
- `JsonRpcWire` (Odoo 8-19, deprecated in 19), per "External RPC API":
  `POST <url>/jsonrpc` calling `common.authenticate(db, login, password, {})`
  once for the uid, then `object.execute_kw(db, uid, password, model, method,
  args, kwargs)`. Errors arrive as HTTP 200 with {"error": {"code": 200,
  "message": "Odoo Server Error", "data": {name, message, ...}}}
  (odoo/http.py, serialize_exception). `create` gets its values
  positionally: older `_call_kw_model_create` reads `args[0]`.

Both turn remote refusals into PermanentError with Odoo's own message and
leave transport trouble, 5xx and 429 to `connectors.http.send`
(TransientError). JSON-RPC answers every error with HTTP 200, so there the
exception name decides the way the JSON-2 status would: the refusals below
are permanent, any other server exception transient.
"""
from __future__ import annotations

import itertools
from decimal import Decimal

import requests

from ..errors import PermanentError, TransientError
from ..http import raise_for_client_error, send

# Odoo exception names (last dotted part) that mean "the data or the request is wrong"
REFUSALS = {"ValidationError", "UserError", "AccessError", "MissingError", "LockError",
            "RedirectWarning", "UnprocessableEntity", "NotFound", "BadRequest",
            "MethodNotAllowed", "ValueError", "TypeError", "KeyError"}
CREDENTIALS = {"AccessDenied", "Unauthorized", "SessionExpiredException"}
# execute_kw passes these parameters positionally, in this order, after `ids`
POSITIONAL = {"create": ("vals_list",), "write": ("vals",), "search": ("domain",),
              "search_read": ("domain",)}


class _Wire:
    def __init__(self, session: requests.Session, url: str, what: str):
        self.session, self.url, self.what = session, url.rstrip("/"), what

    def _refused(self, model: str, method: str, data: dict | str) -> PermanentError:
        if not isinstance(data, dict):  # early 19.0 builds answered a bare message string
            data = {"name": "", "message": str(data)}
        kind = str(data.get("name") or "").rsplit(".", 1)[-1]
        message = str(data.get("message") or kind or "no message").strip()
        if kind in CREDENTIALS:
            return PermanentError(f"{self.what}: access refused ({message}); "
                                  "check the backend's credentials and database")
        return PermanentError(f"{self.what}: {model}.{method} refused"
                              f"{f' ({kind})' if kind else ''}: {message}")


class Json2Wire(_Wire):
    def __init__(self, session, url, database: str, api_key: str, what: str):
        super().__init__(session, url, what)
        session.headers["Authorization"] = f"bearer {api_key}"
        if database:
            session.headers["X-Odoo-Database"] = database

    def version(self) -> str:
        response = send(self.session, "GET", f"{self.url}/web/version", what=self.what)
        raise_for_client_error(response, self.what, "GET /web/version")
        return str(_json(response, self.what).get("version", "?"))

    def call(self, model: str, method: str, ids=None, context=None, **params):
        body = dict(params)
        if ids is not None:
            body["ids"] = list(ids)
        if context:
            body["context"] = context
        response = send(self.session, "POST", f"{self.url}/json/2/{model}/{method}",
                        what=self.what, json=body)
        if response.status_code >= 400:
            try:
                data = response.json()
            except ValueError:
                raise_for_client_error(response, self.what,
                                       f"{model}.{method}: not an Odoo JSON-2 answer, check the URL")
            if response.status_code == 401:
                raise_for_client_error(response, self.what, str(_message(data)))
            raise self._refused(model, method, data)
        return _json(response, self.what)


class JsonRpcWire(_Wire):
    def __init__(self, session, url, database: str, login: str, password: str, what: str):
        super().__init__(session, url, what)
        self.database, self.login, self.password = database, login, password
        self._uid: int | None = None
        self._ids = itertools.count(1)

    def version(self) -> str:
        return str(self._rpc("common", "version", []).get("server_version", "?"))

    @property
    def uid(self) -> int:
        if self._uid is None:
            uid = self._rpc("common", "authenticate",
                            [self.database, self.login, self.password, {}])
            if not uid:
                raise PermanentError(f"{self.what}: login {self.login!r} to database "
                                     f"{self.database!r} refused; check the backend's credentials")
            self._uid = uid
        return self._uid

    def call(self, model: str, method: str, ids=None, context=None, **params):
        args = [list(ids)] if ids is not None else []
        for name in POSITIONAL.get(method, ()):
            if name in params:
                args.append(params.pop(name))
        if context:
            params["context"] = context
        return self._rpc("object", "execute_kw", [self.database, self.uid, self.password,
                                                  model, method, args, params],
                         label=f"{model}.{method}")

    def _rpc(self, service: str, method: str, args: list, label: str = ""):
        label = label or f"{service}.{method}"
        response = send(self.session, "POST", f"{self.url}/jsonrpc", what=self.what, json={
            "jsonrpc": "2.0", "method": "call", "id": next(self._ids),
            "params": {"service": service, "method": method, "args": args}})
        raise_for_client_error(response, self.what, f"{label}: not a JSON-RPC answer, check the URL")
        answer = _json(response, self.what)
        if "error" in answer:
            error = answer["error"] or {}
            data = error.get("data") or {"message": error.get("message")}
            kind = str(data.get("name") or "").rsplit(".", 1)[-1]
            message = str(data.get("message") or "")
            if kind in REFUSALS or kind in CREDENTIALS or "does not exist" in message:
                model, _, meth = label.rpartition(".")
                raise self._refused(model or service, meth, data)
            raise TransientError(f"{self.what}: {label} failed on the server ({kind}: {message})")
        return answer.get("result")


def _json(response: requests.Response, what: str):
    try:
        return response.json(parse_float=Decimal)
    except ValueError as exc:
        raise PermanentError(f"{what}: answer is not JSON (HTTP {response.status_code}); "
                             "check the URL points at Odoo") from exc


def _message(data) -> str:
    return data.get("message", "") if isinstance(data, dict) else str(data)
