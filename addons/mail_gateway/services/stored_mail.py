"""A polled mail as the hub stores it (`hub.receive`'s payload): where it
came from and the message exactly as received."""
from __future__ import annotations

import base64


def payload(backend_id: int, folder: str, uid: int, size: int, complete: bool,
            raw: bytes) -> dict:
    """The stored event: where it came from and the message as received, as
    text when it is UTF-8 (7-bit mail always is), else base64 (8-bit GBK)."""
    found = dict(account=backend_id, folder=folder, uid=uid, size=size, complete=complete)
    try:
        found["raw"] = raw.decode("utf-8")
    except UnicodeDecodeError:
        found["raw_base64"] = base64.b64encode(raw).decode("ascii")
    return found


def raw_of(stored: dict) -> bytes:
    if "raw" in stored:
        return stored["raw"].encode("utf-8")
    return base64.b64decode(stored["raw_base64"])
