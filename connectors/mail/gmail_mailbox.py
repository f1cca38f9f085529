"""A Gmail (Google Workspace) mailbox through the Gmail API: read by
history id, sent as our own MIME.

1. The first poll notes the mailbox's `historyId` (`users.getProfile`) and
   lists the folder's label (`users.messages.list?labelIds=`, page by page
   with `pageToken`); then `users.history.list?startHistoryId=
   &historyTypes=messageAdded&labelId=` says what arrived since. Each page
   answered moves `FolderState.cursor` ("list <historyId> <pageToken>" or
   "history <historyId> [<pageToken>]"), kept with the page's messages, so a
   restart goes on after them. Messages come whole with
   `users.messages.get?format=raw` (base64url).
2. A history id too old for Google (404 on history.list: it keeps about a
   week) means listing the folder again, said in `Polled.notice`; messages
   already received are refused by the caller's Message-ID key.
3. `send`: `users.messages.send` with `raw`: our Message-ID and threading
   headers go out as composed.
4. The token: the refresh-token grant at Google's token endpoint (scopes
   gmail.readonly and gmail.send, given when the refresh token was made).
"""
from __future__ import annotations

import base64
from email.message import EmailMessage
from urllib.parse import quote

from .api_account import ApiMailAccount, mime_bytes
from .oauth_api import OAuthApi
from .polled import MAX_BYTES, Fetched, FolderState, Polled, within_limit
from .smtp_client import Sent

TOKEN_URL = "https://oauth2.googleapis.com/token"
MAX_PAGES = 20  # empty pages read in one poll before answering


class GmailMailbox(ApiMailAccount):
    def __init__(self, api_url: str, mailbox: str, *, client_id: str, client_secret: str,
                 refresh_token: str, token_url: str, domain: str):
        self.api_url, self.mailbox_name, self.domain = api_url.rstrip("/"), mailbox, domain
        self.api = OAuthApi(token_url, {"grant_type": "refresh_token", "client_id": client_id,
                                        "client_secret": client_secret,
                                        "refresh_token": refresh_token}, self.what)

    @property
    def what(self) -> str:
        return f"Gmail mailbox {self.mailbox_name}"

    @property
    def _user(self) -> str:
        return f"{self.api_url}/gmail/v1/users/{quote(self.mailbox_name)}"

    def poll(self, folder: str = "INBOX", state: FolderState | None = None, *,
             batch: int = 100, max_bytes: int = MAX_BYTES) -> Polled:
        """One page of messages after `state` (the whole folder when None)
        and the state to keep once they are stored."""
        cursor = state.cursor if state and state.cursor else self._listing_from_now()
        notice, ids = None, []
        for _ in range(MAX_PAGES):
            mode, history_id, page_token = (cursor.split(" ") + [""])[:3]
            if mode == "list":
                page = self._get("messages", f"listing {folder}", labelIds=folder,
                                 maxResults=batch, pageToken=page_token).json()
                ids = [m["id"] for m in page.get("messages", [])]
                following = page.get("nextPageToken")
                cursor = f"list {history_id} {following}" if following else f"history {history_id}"
            else:
                response = self._get("history", f"reading {folder}", accept=(404,),
                                     startHistoryId=history_id, historyTypes="messageAdded",
                                     labelId=folder, maxResults=batch, pageToken=page_token)
                if response.status_code == 404:
                    notice = (f"{self.what}: Google no longer keeps history {history_id} of "
                              f"{folder}; listing it again, messages already received are "
                              f"recognised by Message-ID")
                    cursor = self._listing_from_now()
                    continue
                page = response.json()
                ids = _added(page, folder)
                following = page.get("nextPageToken")
                cursor = (f"history {history_id} {following}" if following
                          else f"history {page['historyId']}")
            if ids or not following:
                break
        messages = [m for m in (self._fetch(i, max_bytes) for i in ids) if m is not None]
        return Polled(messages, FolderState.at(cursor), notice)

    def send(self, message: EmailMessage, *, envelope_from: str = "") -> Sent:
        """Send `message` as composed; Google chooses the envelope sender."""
        raw = base64.urlsafe_b64encode(mime_bytes(message)).decode("ascii")
        self.api.request("POST", f"{self._user}/messages/send", doing="sending a mail",
                         json={"raw": raw})
        return Sent(message["Message-ID"])

    def test_connection(self) -> str:
        profile = self._get("profile", "testing the account").json()
        return (f"{self.what} at {self.api_url}: {profile.get('messagesTotal', 0)} messages "
                f"in all, history at {profile.get('historyId')}; sends through the Gmail API")

    def _listing_from_now(self) -> str:
        """Where history starts before listing: nothing arriving meanwhile is lost."""
        return f"list {self._get('profile', 'reading its history id').json()['historyId']}"

    def _get(self, path: str, doing: str, accept: tuple[int, ...] = (), **params):
        return self.api.request("GET", f"{self._user}/{path}", doing=doing, accept=accept,
                                params={k: v for k, v in params.items() if v != ""})

    def _fetch(self, message_id: str, max_bytes: int) -> Fetched | None:
        response = self._get(f"messages/{quote(message_id)}", f"reading message {message_id}",
                             accept=(404,), format="raw")
        if response.status_code == 404:
            return None  # deleted since it was listed
        raw = response.json()["raw"]
        return within_limit(message_id, base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)),
                            max_bytes)


def _added(page: dict, folder: str) -> list[str]:
    """The ids of messages added to `folder`, oldest first, once each."""
    found: dict[str, None] = {}
    for record in page.get("history", []):
        for added in record.get("messagesAdded", []):
            message = added["message"]
            if folder in message.get("labelIds", [folder]):
                found[message["id"]] = None
    return list(found)
