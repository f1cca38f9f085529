"""`parse`: raw bytes as received -> `IncomingMail`. Never raises on what a
sender wrote: broken charsets become U+FFFD, a missing Message-ID becomes a
hash of the bytes (so a duplicate is still refused)."""
from __future__ import annotations

import email
import hashlib
import re
from email.message import Message
from email.policy import Compat32
from email.utils import getaddresses

from . import classification
from .charsets import decode_bytes, decode_header_value
from .incoming import IncomingMail, ReceivedAttachment


class _RawHeaders(Compat32):
    """compat32 without its header decoding: values come back as written
    (encoded words intact, 8-bit bytes as surrogates) for `charsets`."""

    def header_fetch_parse(self, name, value):
        return value


RAW = _RawHeaders()
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def parse(raw: bytes) -> IncomingMail:
    message = email.message_from_bytes(raw, policy=RAW)
    sender_name, sender = next(iter(_addresses(message, "From")), ("", ""))
    text, html, attachments = _body(message)
    bounce = classification.bounce_of(message)
    return IncomingMail(
        message_id=_message_id(message.get("Message-ID"))
        or "sha256:" + hashlib.sha256(raw).hexdigest(),
        in_reply_to=next(iter(_message_ids(message.get("In-Reply-To"))), None),
        references=tuple(_message_ids(message.get("References"))),
        sender=sender, sender_name=sender_name,
        to=tuple(address for _, address in _addresses(message, "To")),
        cc=tuple(address for _, address in _addresses(message, "Cc")),
        subject=decode_header_value(message.get("Subject")).strip(),
        text=text, html=html, attachments=tuple(attachments),
        auto_submitted=bounce is not None or classification.is_auto_submitted(message, sender),
        bounce=bounce,
        raw=raw,
    )


def _message_id(value: str | None) -> str | None:
    """The first `<...>`; a bare `id@host` (some mailers drop the brackets)
    gets them, so it meets the same id written properly."""
    found = _message_ids(value)
    if found:
        return found[0]
    bare = decode_header_value(value).strip()
    return f"<{bare}>" if bare and not any(c.isspace() or c in "<>" for c in bare) else None


def _message_ids(value: str | None) -> list[str]:
    return _MESSAGE_ID.findall(decode_header_value(value))


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    """(display name, lower-case address) pairs; names decoded after the
    split, so a comma inside an encoded name cannot split an address."""
    pairs = getaddresses(message.get_all(name) or [])
    return [(decode_header_value(display).strip(), address.strip().lower())
            for display, address in pairs if address]


def _body(message: Message) -> tuple[str, str | None, list[ReceivedAttachment]]:
    text, html, attachments = None, None, []
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() == "message":
            continue
        filename = _filename(part)
        kind = part.get_content_type()
        payload = part.get_payload(decode=True) or b""
        if filename or part.get_content_disposition() == "attachment":
            attachments.append(ReceivedAttachment(filename or "attachment", kind, payload))
        elif kind == "text/plain" and text is None:
            text = _lines(decode_bytes(payload, part.get_content_charset()))
        elif kind == "text/html" and html is None:
            html = _lines(decode_bytes(payload, part.get_content_charset()))
    return text or "", html, attachments


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n")


def _filename(part: Message) -> str:
    """The attachment's name from Content-Disposition's filename (or
    Content-Type's name): RFC 2231 values in their declared charset, RFC 2047
    words inside quotes (as many Chinese clients write them) decoded too."""
    for param, header in (("filename", "content-disposition"), ("name", "content-type")):
        value = part.get_param(param, header=header)
        if value is None:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded text)
            charset, _, text = value
            return decode_bytes(bytes(email.utils.unquote(text), "raw-unicode-escape"), charset)
        return decode_header_value(email.utils.unquote(value)).strip()
    return ""
