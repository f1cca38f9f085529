"""Data and demo files an addon declares in its manifest: rows with external ids.

A file is CSV or YAML, a path inside the addon listed under `data` (loaded on
install and on upgrade) or `demo` (loaded only when asked, then again on each
upgrade of an addon installed with demo data).

- CSV: the file's name is the model, `Stage.csv` (the addon's own model or one
  of its dependencies') or `sales.Stage.csv` (that addon's). The first row
  names the columns: `id` (the external id) then field names; a column
  `field:ref` takes an external id and stores that record's id.
- YAML: a list of mappings, each with `model`, `id` and the fields
  (`field:ref` likewise).

External ids are local names (`stage_new`, stored as the addon's) or another
addon's (`sales.stage_new`, to refer to it). Every load runs inside the
install/upgrade transaction; a bad row raises DataFileError("file, line N,
field F: why") and the caller rolls everything back.

Rules (recorded in `crossdock_external_id` with the values last written):
- a new external id creates its row, or adopts an existing row whose unique
  field has the same value and that no other external id names (so an
  instance seeded by older code gets no duplicate); an adopted row is never
  deleted by us, only forgotten;
- an existing one updates its row, unless a user changed the row since the
  last load (then the user's values stay) or deleted it (it stays deleted);
- on upgrade, a row no longer in the files is deleted, unless a user changed it
  (then only its external id goes and the row is the user's);
- uninstall deletes the rows still there (`remove`), except those another row
  still refers to, which are kept and reported.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import column, delete, inspect, select, table, true
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from .models import ExternalId

_XID = re.compile(r"^([a-z][a-z0-9_]*\.)?[A-Za-z0-9_][A-Za-z0-9_-]{0,126}$")
REF = ":ref"


class DataFileError(ValueError):
    """A data or demo file cannot be loaded; the message says file, line, field and why."""


@dataclass(frozen=True)
class DataRow:
    file: str  # as listed in the manifest
    line: int
    model: str  # as written: "Stage" or "sales.Stage"
    xid: str
    values: dict  # field -> raw value (text from CSV, any scalar from YAML)
    refs: dict  # field -> external id

    def where(self, field: str | None = None) -> str:
        return f"{self.file}, line {self.line}" + (f", field {field}" if field else "")


def read_rows(addon_dir: Path, relpath: str) -> list[DataRow]:
    path = addon_dir / relpath
    if not path.is_file():
        raise DataFileError(f"{relpath}: file not found in the addon ({path})")
    if relpath.endswith(".csv"):
        return _read_csv(path, relpath)
    return _read_yaml(path, relpath)


def _split(raw: dict) -> tuple[dict, dict]:
    values, refs = {}, {}
    for key, value in raw.items():
        key = str(key)
        if key.endswith(REF):
            refs[key[:-len(REF)]] = value
        else:
            values[key] = value
    return values, refs


def _read_csv(path: Path, relpath: str) -> list[DataRow]:
    model = path.name[:-len(".csv")]
    rows = []
    with path.open(newline="", encoding="utf-8-sig") as fh:  # a spreadsheet's BOM too
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "id" not in reader.fieldnames:
            raise DataFileError(f"{relpath}, line 1: the first row must name the columns, "
                                "starting with 'id' (the external id)")
        for raw in reader:
            line = reader.line_num
            if None in raw:
                raise DataFileError(f"{relpath}, line {line}: more values than columns")
            xid = raw.pop("id")
            values, refs = _split(raw)
            rows.append(DataRow(relpath, line, model, xid, values, refs))
    return rows


def _read_yaml(path: Path, relpath: str) -> list[DataRow]:
    try:
        import yaml
    except ImportError:  # pragma: no cover - pyyaml is a dependency of the host
        raise DataFileError(f"{relpath}: YAML files need the 'pyyaml' package") from None

    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise DataFileError(f"{relpath}: not valid YAML ({exc})") from None
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise DataFileError(f"{relpath}, line {root.start_mark.line + 1}: "
                            "must be a list of records (- model: ..., id: ..., fields)")
    rows = []
    loader_cls = yaml.SafeLoader
    for node in root.value:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            raise DataFileError(f"{relpath}, line {line}: a record must be a mapping")
        raw = loader_cls("").construct_document(node)
        model, xid = raw.pop("model", None), raw.pop("id", None)
        if not isinstance(model, str) or not model:
            raise DataFileError(f"{relpath}, line {line}, field model: a model name is required")
        values, refs = _split(raw)
        rows.append(DataRow(relpath, line, model, str(xid) if xid is not None else "",
                            values, refs))
    return rows


# --- converting values --------------------------------------------------------------

def _convert(row: DataRow, field: str, col, raw):
    if raw is None or (isinstance(raw, str) and raw == ""):
        return None
    try:
        kind = col.type.python_type
    except NotImplementedError:
        kind = str
    try:
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes"):
                return True
            if text in ("0", "false", "no"):
                return False
            raise ValueError("expected 1/0, true/false or yes/no")
        if kind is int:
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError("expected an integer")
            return int(str(raw).strip())
        if kind is Decimal:
            return Decimal(str(raw).strip())
        if kind is float:
            return float(raw)
        if kind is dt.datetime:
            return raw if isinstance(raw, dt.datetime) else dt.datetime.fromisoformat(str(raw))
        if kind is dt.date:
            return raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
        value = str(raw)
        length = getattr(col.type, "length", None)
        if length and len(value) > length:
            raise ValueError(f"at most {length} characters ({len(value)} given)")
        return value
    except (ValueError, InvalidOperation) as exc:
        reason = str(exc) if str(exc).startswith(("expected", "at most")) else (
            f"not a valid {kind.__name__}")
        raise DataFileError(f"{row.where(field)}: {raw!r}: {reason}") from None


def _plain(value):
    """A value as stored in `loaded_values`, comparable with what the database gives back."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return value


def _snapshot(record, fields) -> dict:
    return {f: _plain(getattr(record, f, None)) for f in fields}


# --- loading ----------------------------------------------------------------------

@dataclass
class DataContext:
    """What a load needs: the addon, its folder and the models it may write."""

    addon: str
    path: Path
    models: dict[str, dict[str, type]]  # addon -> {class name: model}; own addon and depends
    own_tables: frozenset[str] = frozenset()

    def model(self, row: DataRow) -> type:
        if "." in row.model:
            owner, name = row.model.rsplit(".", 1)
            found = self.models.get(owner, {}).get(name)
            if owner not in self.models:
                raise DataFileError(f"{row.where()}: model '{row.model}': addon '{owner}' "
                                    f"is not '{self.addon}' or one of its dependencies")
        else:
            found = next((m[row.model] for m in self.models.values() if row.model in m), None)
        if found is None:
            raise DataFileError(f"{row.where()}: unknown model '{row.model}' (models of "
                                f"{', '.join(sorted(self.models))}: "
                                f"{', '.join(sorted({n for m in self.models.values() for n in m}))})")
        return found


def _split_xid(addon: str, xid: str) -> tuple[str, str]:
    owner, dot, name = xid.partition(".")
    return (owner, name) if dot else (addon, xid)


def _local_name(ctx: DataContext, row: DataRow) -> str:
    if not row.xid or not _XID.match(row.xid):
        raise DataFileError(f"{row.where('id')}: {row.xid!r} is not an external id "
                            "(letters, digits, _ . -; e.g. stage_new)")
    owner, name = _split_xid(ctx.addon, row.xid)
    if owner != ctx.addon:
        raise DataFileError(f"{row.where('id')}: '{row.xid}' belongs to addon '{owner}'; "
                            f"a file of '{ctx.addon}' defines only its own ids")
    return name


def _find(session: Session, addon: str, name: str) -> ExternalId | None:
    return session.scalar(select(ExternalId).where(ExternalId.addon == addon,
                                                   ExternalId.name == name))


def _values(session: Session, ctx: DataContext, row: DataRow, model: type) -> dict:
    columns = {p.key: p.columns[0] for p in inspect(model).column_attrs}
    out = {}
    for field, raw in row.values.items():
        if field not in columns:
            raise DataFileError(f"{row.where(field)}: not a field of {model.__name__}")
        if field == "id":
            raise DataFileError(f"{row.where(field)}: record ids are not set by data files")
        out[field] = _convert(row, field, columns[field], raw)
    for field, xid in row.refs.items():
        if field not in columns:
            raise DataFileError(f"{row.where(field + REF)}: not a field of {model.__name__}")
        if xid in (None, ""):
            out[field] = None
            continue
        owner, name = _split_xid(ctx.addon, str(xid))
        target = _find(session, owner, name)
        if target is None:
            raise DataFileError(f"{row.where(field + REF)}: unknown external id "
                                f"'{owner}.{name}' (defined further down, or not at all?)")
        out[field] = target.record_id
    return out


def _adoptable(session: Session, model: type, values: dict):
    """An existing row with the same value in one of the row's unique fields, that no
    external id names yet."""
    for prop in inspect(model).column_attrs:
        col = prop.columns[0]
        if col.unique and values.get(prop.key) is not None:
            found = session.scalar(select(model).where(col == values[prop.key]))
            if found is not None and session.scalar(select(ExternalId.id).where(
                    ExternalId.table_name == model.__table__.name,
                    ExternalId.record_id == found.id).limit(1)) is None:
                return found
    return None


def _load_row(session: Session, ctx: DataContext, row: DataRow, demo: bool) -> str:
    name = _local_name(ctx, row)
    model = ctx.model(row)
    values = _values(session, ctx, row, model)
    xid = _find(session, ctx.addon, name)
    try:
        if xid is not None:
            record = session.get(model, xid.record_id)
            if record is None:
                return name  # deleted by a user: stays deleted
            loaded = json.loads(xid.loaded_values)
            if _snapshot(record, loaded) == loaded:  # nobody changed it since: ours to update
                for field, value in values.items():
                    setattr(record, field, value)
                session.flush()
                xid.loaded_values = _dump(_snapshot(record, values))
            session.flush()
            return name
        record = adopted = _adoptable(session, model, values)
        if record is None:
            record = model(**values)
            session.add(record)
        session.flush()
    except DataFileError:
        raise
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise DataFileError(f"{row.where()}: the database refused the row: {reason}") from None
    # what was written, as read back (listeners may normalise); for an adopted row the
    # file's values, so that a row differing from them counts as changed by a user
    written = ({k: _plain(v) for k, v in values.items()} if adopted is not None
               else _snapshot(record, values))
    session.add(ExternalId(addon=ctx.addon, name=name, model=model.__name__,
                           table_name=model.__table__.name, record_id=record.id, demo=demo,
                           adopted=adopted is not None, loaded_values=_dump(written)))
    session.flush()
    return name


def _dump(values: dict) -> str:
    return json.dumps(values, sort_keys=True, ensure_ascii=False)


def load(session: Session, ctx: DataContext, files: tuple[str, ...], *, demo: bool,
         prune: bool) -> int:
    """Load `files` in order; with `prune` (upgrade), drop this kind's rows no longer in them.

    Returns how many rows the files hold. Raises DataFileError; flushes, never commits.
    """
    seen: set[str] = set()
    count = 0
    for relpath in files:
        for row in read_rows(ctx.path, relpath):
            name = _load_row(session, ctx, row, demo)
            if name in seen:
                raise DataFileError(f"{row.where('id')}: external id '{name}' "
                                    "defined twice")
            seen.add(name)
            count += 1
    if prune:
        gone = session.scalars(select(ExternalId).where(
            ExternalId.addon == ctx.addon, ExternalId.demo == demo,
            ExternalId.name.not_in(seen) if seen else true()).order_by(ExternalId.id.desc()))
        for xid in list(gone):
            _delete_record(session, xid, ctx, only_if_unchanged=True)
            session.delete(xid)
        session.flush()
    return count


def has_demo(session: Session, addon: str) -> bool:
    return session.scalar(select(ExternalId.id).where(
        ExternalId.addon == addon, ExternalId.demo.is_(True)).limit(1)) is not None


def _delete_record(session: Session, xid: ExternalId, ctx: DataContext | None, *,
                   only_if_unchanged: bool, dropped: frozenset[str] = frozenset()) -> bool:
    """Delete the row of `xid` if it still exists; False if kept (adopted, changed, or
    referred to by a row of a table that is not `dropped`)."""
    if xid.adopted or _referenced(session, xid, dropped):
        return False
    model = None
    if ctx is not None:
        model = next((m[xid.model] for m in ctx.models.values() if xid.model in m
                      and m[xid.model].__table__.name == xid.table_name), None)
    if model is None:  # the owning code is missing: the table is all we know
        if only_if_unchanged:
            return False
        try:
            with session.begin_nested():
                session.execute(delete(table(xid.table_name, column("id")))
                                .where(column("id") == xid.record_id))
        except SQLAlchemyError:
            return False
        return True
    record = session.get(model, xid.record_id)
    if record is None:
        return True
    loaded = json.loads(xid.loaded_values)
    if only_if_unchanged and _snapshot(record, loaded) != loaded:
        return False
    try:
        with session.begin_nested():
            session.delete(record)
            session.flush()
    except IntegrityError:
        return False
    return True


def _referenced(session: Session, xid: ExternalId, dropped: frozenset[str]) -> bool:
    """Does a row of a table that stays (a user's company...) refer to this row?"""
    from flask_appbuilder import Model

    existing = set(inspect(session.connection()).get_table_names())
    for tbl in Model.metadata.tables.values():
        if tbl.name in dropped or tbl.name not in existing:  # an uninstalled addon's
            continue
        for fk in tbl.foreign_keys:
            if fk.column.table.name == xid.table_name and fk.column.name == "id":
                if session.execute(select(fk.parent).where(fk.parent == xid.record_id)
                                   .limit(1)).first() is not None:
                    return True
    return False


def remove(session: Session, addon: str, ctx: DataContext | None) -> list[str]:
    """Uninstall: delete the addon's data rows still there (newest first) and forget
    its external ids. Rows in the addon's own tables are left to its downgrade; rows
    other rows still refer to, and adopted rows, are kept. Returns those kept."""
    kept = []
    own = ctx.own_tables if ctx is not None else frozenset()
    xids = session.scalars(select(ExternalId).where(ExternalId.addon == addon)
                           .order_by(ExternalId.id.desc())).all()
    for xid in xids:
        if xid.table_name not in own and not _delete_record(
                session, xid, ctx, only_if_unchanged=False, dropped=own):
            kept.append(f"{addon}.{xid.name} ({xid.model} {xid.record_id})")
        session.delete(xid)
    session.flush()
    return kept
