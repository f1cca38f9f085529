"""Frappe's REST API as ERPNext speaks it: auth, requests, errors.

Per Frappe's "REST API" documentation (docs.frappe.io/framework/user/en/
api/rest and guides/integration/rest_api): token auth
`Authorization: token <api_key>:<api_secret>` (`username` = API key,
`secret` = API secret; `database` is unused, a Frappe site is its host
name); `GET /api/resource/<DocType>?filters=[[field, op, value]]&fields=[...]`
-> {"data": [...]}; `POST /api/resource/<DocType>` -> {"data": doc}. Errors
carry the exception class in `exc_type` and the user-facing text in
`_server_messages` (a JSON list of JSON-encoded {"message": ...}), with the
status from frappe/exceptions.py (ValidationError family 417,
AuthenticationError 401, PermissionError 403, DoesNotExistError 404,
DuplicateEntryError 409): refusals become PermanentError with Frappe's own
words; transport trouble, 5xx and 429 are `connectors.http.send`'s
(TransientError). Nothing here knows sales orders (erpnext.py does).
"""
from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import quote

import requests

from ..errors import PermanentError
from ..http import raise_for_client_error, send


class FrappeWire:
    def __init__(self, url: str, api_key: str, api_secret: str, what: str):
        self.url, self.what = url.rstrip("/"), what
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"token {api_key}:{api_secret}",
                                     "Accept": "application/json",
                                     "User-Agent": "crossdock-hub"})

    def list(self, doctype: str, filters: list, fields: list[str], limit: int = 20,
             start: int = 0, order_by: str = "") -> list[dict]:
        params = {"filters": json.dumps(filters), "fields": json.dumps(fields),
                  "limit_page_length": limit}
        if start:
            params["limit_start"] = start
        if order_by:
            params["order_by"] = order_by
        return self.request("GET", f"/api/resource/{quote(doctype)}", params=params)["data"]

    def insert(self, doctype: str, doc: dict) -> dict:
        return self.request("POST", f"/api/resource/{quote(doctype)}", json=doc)["data"]

    def submit(self, doctype: str, name: str) -> dict:
        return self.request("PUT", f"/api/resource/{quote(doctype)}/{quote(name)}",
                            json={"docstatus": 1})["data"]

    def cancel(self, doctype: str, name: str) -> None:
        self.request("POST", "/api/method/frappe.client.cancel",
                     json={"doctype": doctype, "name": name})

    def delete(self, doctype: str, name: str) -> None:
        self.request("DELETE", f"/api/resource/{quote(doctype)}/{quote(name)}")

    def request(self, method: str, path: str, **kwargs) -> dict:
        response = send(self.session, method, self.url + path, what=self.what, **kwargs)
        if response.status_code >= 400:
            raise_for_client_error(response, self.what, _frappe_message(response))
        try:
            return response.json(parse_float=Decimal)
        except ValueError as exc:
            raise PermanentError(f"{self.what}: answer to {method} {path} is not JSON "
                                 f"(HTTP {response.status_code}); check the URL") from exc


def _frappe_message(response: requests.Response) -> str:
    """The words Frappe shows its users, from `_server_messages`, else `exception`."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    messages = []
    try:
        for item in json.loads(body.get("_server_messages") or "[]"):
            message = json.loads(item).get("message") if isinstance(item, str) else item
            if message:
                messages.append(str(message))
    except (ValueError, AttributeError, TypeError):
        pass
    kind = body.get("exc_type") or ""
    text = "; ".join(messages) or str(body.get("exception") or body.get("message") or "")
    return f"{text} ({kind})" if kind else text
