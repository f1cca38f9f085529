"""Value checks shared by the REST base class: ids, filter values, related rows.

A value that cannot be stored in (or compared with) a column is refused here,
before it reaches the database: SQLite raises OverflowError for integers beyond
64 bits, PostgreSQL a DataError for text where a number goes or a NUL
character in text, and FAB turned both into a 500.
"""
from __future__ import annotations

import datetime as dt
import math
import re

from marshmallow import ValidationError
from marshmallow_sqlalchemy.fields import Related
from sqlalchemy import types as sqltypes
from sqlalchemy.orm.exc import NoResultFound

_INT_TEXT = re.compile(r"-?[0-9]{1,19}")


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
    if isinstance(type_, (sqltypes.Date, sqltypes.DateTime)):
        if not isinstance(value, str):
            raise BadValue(f"expected an ISO date, got {value!r}"[:200])
        try:
            parser = dt.datetime if isinstance(type_, sqltypes.DateTime) else dt.date
            parser.fromisoformat(value)
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


def no_nul(value) -> None:
    """marshmallow validator for text columns: PostgreSQL cannot store NUL."""
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError("Text may not contain NUL characters.")


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
