"""What the database refused, in the words of a REST answer.

An `IntegrityError` on a REST write is the database refusing the caller's
data, so it is a 4xx naming the field, never a 500 (and never FAB's 422 that
quoted the SQL):

- a unique value another row holds: 409 `{"message", "errors": {field: [...]}}`
  (the row may be one the caller cannot see: its values are not shown);
- NOT NULL, CHECK, a foreign key or a value of the wrong type: 422 alike.

The field is the name the API uses: a column of the API's model, the
relationship a foreign key belongs to, or `<relationship>.<column>` for rows
written nested (`phones.number`). SQLite says which columns in its message;
PostgreSQL in the error's diagnostics (constraint, column, detail).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

_SQLITE = [
    (re.compile(r"UNIQUE constraint failed: index '([^']+)'"), "unique_index"),
    (re.compile(r"UNIQUE constraint failed: (.+)"), "unique"),
    (re.compile(r"NOT NULL constraint failed: (.+)"), "not_null"),
    (re.compile(r"CHECK constraint failed: (.+)"), "check"),
    (re.compile(r"FOREIGN KEY constraint failed"), "foreign_key"),
    (re.compile(r"datatype mismatch"), "mismatch"),
]
_PG_STATES = {"23505": "unique", "23502": "not_null", "23514": "check",
              "23503": "foreign_key"}
_PG_KEY = re.compile(r"Key \((.+?)\)=")


@dataclass
class Refusal:
    """A 4xx answer: status, message and field errors."""

    status: int
    message: str
    errors: dict = field(default_factory=dict)


def _columns_of_constraint(model, name: str) -> tuple[str | None, list[str]]:
    """(table, columns) of a named constraint or index in the model's metadata."""
    for table in model.metadata.tables.values():
        for item in (*table.constraints, *table.indexes):
            if item.name == name:
                cols = [c.name for c in getattr(item, "columns", [])]
                if not cols and getattr(item, "sqltext", None) is not None:
                    text = str(item.sqltext)
                    cols = [c.name for c in table.columns if re.search(rf"\b{c.name}\b", text)]
                return table.name, cols
    return None, []


def field_name(model, table: str | None, column: str) -> str:
    """The API's name for `table.column`, seen from `model`."""
    mapper = inspect(model)
    if table in (None, mapper.local_table.name):
        for rel in mapper.relationships:
            if any(c.name == column for c in rel.local_columns) and rel.direction.name == "MANYTOONE":
                return rel.key
        for attr in mapper.column_attrs:
            if any(c.name == column for c in attr.columns):
                return attr.key
        return column
    for rel in mapper.relationships:
        target = rel.mapper
        if target.local_table.name == table:
            return f"{rel.key}.{field_name(target.class_, table, column)}"
    return f"{table}.{column}" if table else column


def _table_columns(text: str) -> list[tuple[str | None, str]]:
    """"t.a, t.b" (SQLite's message) as [(t, a), (t, b)]."""
    out = []
    for part in text.split(","):
        table, _, column = part.strip().rpartition(".")
        out.append((table or None, column))
    return out


def _what(exc: IntegrityError, model) -> tuple[str, list[tuple[str | None, str]], str | None]:
    """(kind, [(table, column)], constraint name) of the refusal."""
    orig = exc.orig
    state = getattr(orig, "sqlstate", None)
    if state is not None:  # psycopg
        kind = _PG_STATES.get(state, "other")
        diag = getattr(orig, "diag", None)
        table = getattr(diag, "table_name", None)
        constraint = getattr(diag, "constraint_name", None)
        if kind == "not_null" and getattr(diag, "column_name", None):
            return kind, [(table, diag.column_name)], constraint
        if constraint:
            ctable, cols = _columns_of_constraint(model, constraint)
            if cols:
                return kind, [(ctable or table, c) for c in cols], constraint
        match = _PG_KEY.search(getattr(diag, "message_detail", None) or "")
        if match:
            cols = [c.strip() for c in match.group(1).split(",")]
            return kind, [(table, c) for c in cols if re.fullmatch(r"\w+", c)], constraint
        return kind, [], constraint
    message = str(orig)
    for pattern, kind in _SQLITE:
        match = pattern.search(message)
        if not match:
            continue
        if kind == "unique_index":
            table, cols = _columns_of_constraint(model, match.group(1))
            return "unique", [(table, c) for c in cols], match.group(1)
        if kind in ("unique", "not_null"):
            return kind, _table_columns(match.group(1)), None
        if kind == "check":
            table, cols = _columns_of_constraint(model, match.group(1).strip())
            return kind, [(table, c) for c in cols], match.group(1).strip()
        return kind, [], None
    return "other", [], None


def refusal(exc: IntegrityError, model, *, deleting: bool = False) -> Refusal:
    """The answer to `exc`, raised while writing (or deleting) a row of `model`."""
    kind, columns, constraint = _what(exc, model)
    names = list(dict.fromkeys(field_name(model, t, c) for t, c in columns))
    if kind == "unique":
        names = names or ["_schema"]
        return Refusal(409, f"Already used by another record: {', '.join(names)}",
                       {n: ["Another record already has this value."] for n in names})
    if kind == "foreign_key" and deleting:
        return Refusal(409, "Other records still refer to this one", {})
    why = {
        "not_null": "Missing data for required field.",
        "check": f"Refused by the rule {constraint}." if constraint else "Refused by a rule.",
        "foreign_key": "The related record does not exist.",
        "mismatch": "Not a value of this field's type.",
    }.get(kind, "Refused by the database.")
    names = names or [constraint or "_schema"]
    return Refusal(422, f"Invalid fields: {', '.join(names)}", {n: [why] for n in names})
