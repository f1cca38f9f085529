"""Value checks shared by the REST base class: ids, filter values, related rows.

A value that cannot be stored in (or compared with) a column is refused here,
before it reaches the database: SQLite raises OverflowError for integers beyond
64 bits, PostgreSQL a DataError for text where a number goes, a NUL
character in text or a decimal wider than its column, and FAB turned them into
a 500.

Datetimes are RFC 3339 with a UTC offset both ways: stored naive in UTC,
answered with "+00:00", taken only with an offset ("Z" or "+08:00") and
converted to UTC (`UtcDateTime`, `utc_text`, `parse_utc`). Decimals are
answered as text ("12.5000") and taken as text or numbers (`TextDecimal`).
"""
from __future__ import annotations

import datetime as dt
import math
import re

from decimal import Decimal

from marshmallow import ValidationError, fields
from marshmallow_sqlalchemy.fields import Related
from sqlalchemy import types as sqltypes
from sqlalchemy.orm.exc import NoResultFound

_INT_TEXT = re.compile(r"-?[0-9]{1,19}")
# RFC 3339 date-time: a date, a time and a zone (the offset is not optional)
_RFC3339 = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]([0-9]{2}:[0-9]{2}:[0-9]{2})"
                      r"(?:\.([0-9]+))?([Zz]|[+-][0-9]{2}:[0-9]{2})")


class BadValue(ValueError):
    """A value that does not fit its column; the message says why."""


def int_bits(type_, dialect: str | None) -> int:
    """How many bits an integer column of `type_` holds. SQLite's are all 64-bit;
    elsewhere INTEGER is 32-bit and PostgreSQL refuses a bigger parameter even in a
    comparison ("integer out of range")."""
    if dialect == "sqlite" or isinstance(type_, sqltypes.BigInteger):
        return 64
    if isinstance(type_, sqltypes.SmallInteger):
        return 16
    return 32


def as_int(value, bits: int = 64) -> int:
    """An integer for a column of `bits` bits, from an int or its digits."""
    if isinstance(value, bool):
        raise BadValue("expected an integer, got a boolean")
    if isinstance(value, str) and _INT_TEXT.fullmatch(value):
        value = int(value)
    if not isinstance(value, int):
        raise BadValue(f"expected an integer, got {value!r}"[:200])
    if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
        raise BadValue("integer out of range")
    return value


def is_integer_type(type_) -> bool:
    return isinstance(type_, sqltypes.Integer)


def coerce_for(type_, value, dialect: str | None = None):
    """`value` checked (and converted where lossless) for a column of `type_`.

    Lists are checked element by element (operators such as `in`). Types not
    handled here pass unchanged.
    """
    if isinstance(value, list):
        return [coerce_for(type_, v, dialect) for v in value]
    if value is None:
        return None
    if isinstance(value, dict):
        raise BadValue("expected a plain value, got an object")
    if is_integer_type(type_):
        return as_int(value, int_bits(type_, dialect))
    if isinstance(type_, sqltypes.Boolean):
        if not isinstance(value, bool):
            raise BadValue(f"expected true or false, got {value!r}"[:200])
        return value
    if isinstance(type_, (sqltypes.Float, sqltypes.Numeric)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BadValue(f"expected a number, got {value!r}"[:200])
        if isinstance(value, float) and not math.isfinite(value):
            raise BadValue("expected a finite number")
        return value
    if isinstance(type_, sqltypes.DateTime):
        return parse_utc(value)
    if isinstance(type_, sqltypes.Date):
        if not isinstance(value, str):
            raise BadValue(f"expected an ISO date, got {value!r}"[:200])
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise BadValue(f"expected an ISO date, got {value!r}"[:200]) from None
        return value
    if isinstance(type_, sqltypes.String):
        if isinstance(value, bool):
            raise BadValue("expected text, got a boolean")
        if isinstance(value, float) and not math.isfinite(value):
            raise BadValue("expected text, got a non-finite number")
        if isinstance(value, (int, float)):
            value = str(value)
        if not isinstance(value, str):
            raise BadValue(f"expected text, got {value!r}"[:200])
        if "\x00" in value:
            raise BadValue("text may not contain NUL characters")
        return value
    return value


def unstorable(text: str) -> bool:
    """NUL, which no PostgreSQL text column stores or compares, or a lone
    surrogate (JSON's "\\ud800"), which is no character and no database stores."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def nul_paths(value, path: str = "") -> list[str]:
    """Where text in a decoded JSON value cannot be stored ("lines.0.note"):
    NUL or a lone surrogate, keys and values alike."""
    if isinstance(value, str):
        return [path or "body"] if unstorable(value) else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found += [where] if unstorable(str(key)) else nul_paths(item, where)
        return found
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in nul_paths(item, f"{path}.{i}" if path else str(i))]
    return []


def no_nul(value) -> None:
    """marshmallow validator for text columns: PostgreSQL cannot store NUL."""
    if isinstance(value, str) and unstorable(value):
        raise ValidationError("Text may not contain NUL characters or lone surrogates.")


class ExistingRelated(Related):
    """A related row given by its id: it must exist (and be visible to the caller).

    marshmallow-sqlalchemy's `Related` builds a *new* related object when no row
    has the given id, so `{"owner": 12345}` tried to insert a user (a 500, or a
    stray row where the related table allows it), and ids of the wrong type or
    beyond 64 bits reached the database.
    """

    default_error_messages = {
        **Related.default_error_messages,
        "not_found": "{model} {value} does not exist.",
        "bad_id": "Not a valid id: {reason}.",
    }

    def _deserialize(self, value, *args, **kwargs):
        keys = self.related_keys
        if isinstance(value, dict):
            lookup = {prop.key: value.get(prop.key) for prop in keys}
        elif len(keys) == 1 and not isinstance(value, list):
            lookup = {keys[0].key: value}
        else:
            raise self.make_error("invalid", value=value, keys=[p.key for p in keys])
        for prop in keys:
            column = prop.columns[0]
            try:
                lookup[prop.key] = coerce_for(column.type, lookup[prop.key],
                                              self.session.get_bind().dialect.name)
            except BadValue as exc:
                raise self.make_error("bad_id", reason=str(exc)) from None
            if lookup[prop.key] is None:
                raise self.make_error("bad_id", reason="missing")
        try:
            return self._get_existing_instance(self.related_model, lookup)
        except NoResultFound:
            shown = next(iter(lookup.values())) if len(lookup) == 1 else lookup
            raise self.make_error("not_found", model=self.related_model.__name__,
                                  value=shown) from None


def parse_utc(value) -> dt.datetime:
    """An RFC 3339 date-time with its offset, as the naive UTC datetime we store."""
    match = _RFC3339.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise BadValue("expected an RFC 3339 date-time with a UTC offset, e.g. "
                       "2026-03-01T09:30:00+08:00 or 2026-03-01T01:30:00Z")
    day, time, fraction, zone = match.groups()
    fraction = f".{(fraction or '')[:6]:0<6}"
    zone = "+00:00" if zone in "Zz" else zone
    try:
        parsed = dt.datetime.fromisoformat(f"{day}T{time}{fraction}{zone}")
        return parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise BadValue(f"not a valid date-time: {value!r}"[:200]) from None


def utc_text(value: dt.datetime | None) -> str | None:
    """A stored datetime (naive = UTC) as RFC 3339 text with its offset."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat()


class UtcDateTime(fields.DateTime):
    """A datetime column over REST: RFC 3339 with offset in and out, naive UTC stored."""

    default_error_messages = {**fields.DateTime.default_error_messages,
                              "invalid": "{reason}."}

    def _serialize(self, value, attr, obj, **kwargs):
        return utc_text(value)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_utc(value)
        except BadValue as exc:
            raise self.make_error("invalid", reason=str(exc)) from None


DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


class TextDecimal(fields.Decimal):
    """A Numeric column over REST: answered as text ("12.5000"), taken as text or a
    JSON number. `integer_digits` (precision - scale) bounds what the column holds:
    PostgreSQL refuses a wider value with a DataError."""

    default_error_messages = {**fields.Decimal.default_error_messages,
                              "too_wide": "At most {digits} digits before the decimal point."}

    def __init__(self, *, integer_digits: int | None = None, **kwargs):
        kwargs.setdefault("metadata", {})
        kwargs["metadata"] = {"type": "string", "format": "decimal",
                              "pattern": DECIMAL_PATTERN, **kwargs["metadata"]}
        super().__init__(as_string=True, **kwargs)
        self.integer_digits = integer_digits

    def _validated(self, value):
        number = super()._validated(value)
        if number is not None and self.integer_digits is not None and number != 0:
            if number.adjusted() + 1 > self.integer_digits:
                raise self.make_error("too_wide", digits=self.integer_digits)
        return number

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, float):  # SQLite hands floats back for Numeric columns
            value = Decimal(str(value))
        return super()._serialize(value, attr, obj, **kwargs)
