"""Records as the export writes them: plain JSON values, datetimes in the
reader's zone as ISO 8601 with the offset (stored naive UTC), dates as
`2026-12-05`, decimals as text, files apart (their name and size here)."""
from __future__ import annotations

import datetime as dt
import decimal

from core.user_time import exported


def plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dt.datetime):
        return exported(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return str(value)


def row_of(record, fields: list[str] | tuple[str, ...]) -> dict:
    """`{field: plain value}` of an ORM record."""
    return {name: plain(getattr(record, name)) for name in fields}
