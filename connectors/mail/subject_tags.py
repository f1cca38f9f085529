"""A record's tag in the subject ("[#T-000123] Printer broken"): how a reply
finds its record when the sender's client dropped In-Reply-To/References.
The tag's form is the caller's (letters, a dash, digits); this module only
puts it in once and finds it again, whatever "Re:"/"回复:" came before."""
from __future__ import annotations

import re

_TAG = re.compile(r"\[#([A-Z]{1,10}-\d{1,12})\]")


def tagged(subject: str, tag: str) -> str:
    if not _TAG.fullmatch(f"[#{tag}]"):
        raise ValueError(f"a subject tag is letters, a dash and digits (T-000123), not {tag!r}")
    if f"[#{tag}]" in subject:
        return subject
    return f"[#{tag}] {subject}".rstrip()


def tag_in(subject: str) -> str | None:
    found = _TAG.search(subject or "")
    return found.group(1) if found else None
