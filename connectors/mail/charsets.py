"""Bytes and headers of received mail as text, in one place.

Chinese mail often says gb2312 or gbk and contains characters only GB18030
has (names, 𠀀-range characters, the euro sign): those labels are read as
gb18030, their superset, instead of losing the characters. An unknown or
missing label is read as UTF-8; nothing here raises on bad bytes (they
become U+FFFD).
"""
from __future__ import annotations

import codecs
from email.header import decode_header

_READ_AS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
            "euc-cn": "gb18030", "x-euc-cn": "gb18030", "csgb2312": "gb18030"}


def codec_for(charset: str | None) -> str:
    name = (charset or "").strip().strip('"').lower()
    name = _READ_AS.get(name, name)
    try:
        return codecs.lookup(name).name if name else "utf-8"
    except LookupError:
        return "utf-8"


def decode_bytes(data: bytes, charset: str | None) -> str:
    return data.decode(codec_for(charset), "replace")


def decode_header_value(value: str | None) -> str:
    """A raw header value (`parsing.RAW`: encoded words intact, 8-bit bytes
    as surrogates) as text: RFC 2047 words decoded by their charset, raw
    8-bit bytes (seen from old Chinese clients) tried as UTF-8, then GB18030."""
    if not value:
        return ""
    words = []
    for chunk, charset in decode_header(value.replace("\r", "").replace("\n", "")):
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8", "surrogateescape")
            charset = None
        words.append(decode_bytes(chunk, charset) if charset else _unlabelled(chunk))
    return "".join(words)


def _unlabelled(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace")
