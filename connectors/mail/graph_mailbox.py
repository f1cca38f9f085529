"""A Microsoft 365 mailbox through Microsoft Graph: read with a delta
query, sent as our own MIME.

1. `poll` reads one page of `GET /users/{mailbox}/mailFolders/{folder}/
   messages/delta` (`Prefer: odata.maxpagesize=<batch>`): the first time
   from the folder's start, then from the kept link. A page ends with
   `@odata.nextLink` (more now) or `@odata.deltaLink` (up to date; the next
   poll asks it what changed): either is the new `FolderState.cursor`, kept
   with the page's messages, so a restart goes on after them. Each message's
   MIME comes from `GET /users/{mailbox}/messages/{id}/$value`; entries
   marked `@removed` (deleted, moved away) are skipped. Delta also lists
   messages changed (read, flagged): fetched again, they are refused by the
   caller's Message-ID key.
2. A delta link Graph no longer knows (410 Gone) means reading the folder
   again from its start, said in `Polled.notice`.
3. `send`: `POST /users/{mailbox}/sendMail`, the MIME base64 as text/plain
   (202 Accepted): our Message-ID and threading headers go out as composed.
   Graph sets the envelope sender itself (no VERP address).
4. The token: client credentials at the v2.0 endpoint, scope
   `https://graph.microsoft.com/.default` (application permissions
   Mail.Read and Mail.Send, limited to the mailbox by an access policy).
"""
from __future__ import annotations

import base64
from email.message import EmailMessage
from urllib.parse import quote

from .api_account import ApiMailAccount, mime_bytes
from .oauth_api import OAuthApi
from .polled import MAX_BYTES, Fetched, FolderState, Polled, within_limit
from .smtp_client import Sent

SCOPE = "https://graph.microsoft.com/.default"
TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
MAX_PAGES = 20  # pages of only removals read in one poll before answering
_FOLDERS = {"INBOX": "inbox"}  # Graph's well-known name; other folders by id or name


class GraphMailbox(ApiMailAccount):
    def __init__(self, api_url: str, mailbox: str, *, client_id: str, client_secret: str,
                 token_url: str, domain: str):
        self.api_url, self.mailbox_name, self.domain = api_url.rstrip("/"), mailbox, domain
        self.api = OAuthApi(token_url, {"grant_type": "client_credentials", "client_id": client_id,
                                        "client_secret": client_secret, "scope": SCOPE},
                            self.what)

    @property
    def what(self) -> str:
        return f"Microsoft Graph mailbox {self.mailbox_name}"

    @property
    def _user(self) -> str:
        return f"{self.api_url}/users/{quote(self.mailbox_name)}"

    def poll(self, folder: str = "INBOX", state: FolderState | None = None, *,
             batch: int = 100, max_bytes: int = MAX_BYTES) -> Polled:
        """One page of messages after `state` (all from the start when None)
        and the state to keep once they are stored."""
        start = (f"{self._user}/mailFolders/{quote(_FOLDERS.get(folder, folder))}"
                 f"/messages/delta?$select=id")
        link, notice = (state.cursor if state and state.cursor else start), None
        headers, ids = {"Prefer": f"odata.maxpagesize={batch}"}, []
        for _ in range(MAX_PAGES):
            response = self.api.request("GET", link, doing=f"reading {folder}", headers=headers,
                                        accept=(410,))
            if response.status_code == 410:
                notice = (f"{self.what}: Graph no longer knows where {folder} was read to "
                          f"(HTTP 410); reading it again from the start, messages already "
                          f"received are recognised by Message-ID")
                link = start
                continue
            page = response.json()
            link = page.get("@odata.nextLink") or page["@odata.deltaLink"]
            ids = [entry["id"] for entry in page.get("value", []) if "@removed" not in entry]
            if ids or "@odata.nextLink" not in page:
                break
        messages = [m for m in (self._fetch(i, max_bytes) for i in ids) if m is not None]
        return Polled(messages, FolderState.at(link), notice)

    def send(self, message: EmailMessage, *, envelope_from: str = "") -> Sent:
        """Send `message` as composed; Graph chooses the envelope sender."""
        self.api.request("POST", f"{self._user}/sendMail", doing="sending a mail",
                         data=base64.b64encode(mime_bytes(message)),
                         headers={"Content-Type": "text/plain"})
        return Sent(message["Message-ID"])

    def test_connection(self) -> str:
        folder = self.api.request("GET", f"{self._user}/mailFolders/inbox"
                                  f"?$select=displayName,totalItemCount",
                                  doing="testing the account").json()
        return (f"{self.what} at {self.api_url}: {folder.get('displayName', 'Inbox')} holds "
                f"{folder.get('totalItemCount', 0)} messages; sends through Graph sendMail")

    def _fetch(self, message_id: str, max_bytes: int) -> Fetched | None:
        response = self.api.request("GET", f"{self._user}/messages/{quote(message_id)}/$value",
                                    doing=f"reading message {message_id}", accept=(404,))
        if response.status_code == 404:
            return None  # deleted since the page was read
        return within_limit(message_id, response.content, max_bytes)
