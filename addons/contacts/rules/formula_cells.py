"""Spreadsheet cells a spreadsheet would run as a formula (starting with =, +,
-, @, tab or CR).

The rule, in one place:
- Our CSV export neutralises them with a leading apostrophe (OWASP CSV
  injection advice), and also prefixes a text that itself starts with an
  apostrophe, so that taking one apostrophe off gives back exactly what was
  stored ("'-' 表示未知" is exported as "''-' 表示未知").
- Our XLSX export needs no prefix: its cells are typed strings, which a
  spreadsheet shows and never runs.
- The import takes the apostrophe off only in a CSV file our export wrote
  (recognised by its "Crossdock ID" column, reading.OWN_EXPORT_HEADER); every
  other file's cells are imported exactly as written.
"""
from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell's text for a CSV export, neutralised if a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START + ("'",)) else text


def unneutralised(text: str) -> str:
    """A cell of our CSV export as stored: safe_cell undone."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_START + ("'",) and text[1:2] else text
