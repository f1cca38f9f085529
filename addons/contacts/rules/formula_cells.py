"""Spreadsheet cells a spreadsheet would run as a formula (starting with =, +,
-, @, tab or CR): the export neutralises them with a leading apostrophe (OWASP
CSV injection advice), the import takes that apostrophe off again."""
from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell's text, neutralised if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def unneutralised(text: str) -> str:
    """A cell our export protected against formula injection ('+86...) as typed."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_START else text
