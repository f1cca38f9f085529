"""`crossdock addons revision NAME -m "..."`: autogenerate a migration on one
addon's branch.

1. Compares the addon's own tables (those its models define) with the
   instance's database, and nothing else: other addons' objects (contacts'
   full-text tables, say) and the platform's tables are never reflected, so
   they cannot show up as drops.
   Extension columns (`addon.extend`) belong to the extending addon's branch:
   the addon that owns the table never sees another addon's columns on it,
   and the extending addon sees its own columns (and their indexes and
   foreign keys) on the other addon's table, nothing else of that table.
2. The database is only read (one transaction, rolled back): the addon must be
   installed with its branch at head, and each addon it depends on at head
   too, or the command refuses and names the upgrade to run first.
3. An index an addon's migrations create for one dialect only (a full-text or
   covering index that no Table can declare for both) is named in its
   table's `info["migration_indexes"]`, per dialect
   (`{"sqlite": ("ix_a",), "postgresql": ("ix_b",)}`): on that dialect the
   comparison neither drops it nor adds it, anywhere else it is compared as usual.
4. The revision goes into the addon's `migrations/`, after its branch head,
   with `depends_on` the current heads of the branches it depends on; an
   empty comparison writes nothing.
"""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from alembic.autogenerate import produce_migrations, render_python_code
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_appbuilder import Model
from sqlalchemy.orm import Session

from .. import migrate
from ..addons import model_extension
from ..addons.graph import topological
from ..addons.lifecycle import present

MIGRATION_INDEXES = "migration_indexes"  # Table.info key, see 3. above
REVISION_ID_MAX = 32  # alembic_version.version_num is VARCHAR(32)


class RevisionError(ValueError):
    """No revision written; the message says why and what to run."""


def _revision_id(number: int, name: str, message: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")
    return f"{number:04d}_{name}_{slug}"[:REVISION_ID_MAX].rstrip("_")


def _check_database(session: Session, runtime, name: str) -> list[str]:
    """Refuse unless `name` and its dependencies are installed at head; returns
    the dependencies' branches (those with migrations)."""
    if name in runtime.broken:
        raise RevisionError(f"addon '{name}' is broken: {runtime.broken[name]}")
    if name not in runtime.loaded:
        raise RevisionError(f"unknown addon '{name}' (see 'crossdock addons list')")
    installed = present(session)
    if name not in installed:
        raise RevisionError(f"addon '{name}' is not installed in this database: "
                            f"run 'crossdock addons install {name}' first (autogenerate "
                            "compares its models with its tables)")
    conn = session.connection()
    deps = [d for d in topological([name], runtime.manifests) if d != name]
    for addon in [*deps, name]:
        if runtime.loaded[addon].migrations_dir is None:
            continue
        if addon not in installed or not migrate.branch_is_current(conn, addon,
                                                                   runtime.addon_dirs):
            raise RevisionError(
                f"the database is not at head for addon '{addon}': run "
                f"'crossdock addons upgrade {addon}' (or 'crossdock db upgrade') first")
    return [d for d in runtime.manifests[name].depends if runtime.loaded[d].migrations_dir]


def _extension_columns() -> dict[tuple[str, str], str]:
    """(table, column) -> the addon whose extension it is, for every mapped extension."""
    return {(f.column.table.name, f.column.name): f.addon
            for model in list(model_extension._FIELDS)
            for f in model_extension.fields_of(model) if f.column is not None}


def _column_names(obj) -> set[str]:
    """The columns a column, index or constraint is about (names only: reflected
    objects are other instances than the metadata's)."""
    if hasattr(obj, "columns"):
        return {c.name for c in obj.columns if hasattr(c, "name")}
    return {obj.name}


def _migration_indexes(dialect: str) -> set[tuple[str, str]]:
    """(table, index) of the indexes the migrations own on this dialect (see 3.)."""
    return {(table.name, index)
            for table in Model.metadata.tables.values()
            for index in table.info.get(MIGRATION_INDEXES, {}).get(dialect, ())}


def compare(session: Session, runtime, name: str):
    """What changed in `name`'s tables and extension columns: Alembic's
    `MigrationScript` (empty `upgrade_ops` when nothing did). Reads only."""
    _check_database(session, runtime, name)
    tables = set(runtime.loaded[name].tables)
    extensions = _extension_columns()
    extended = {t for (t, _c), owner in extensions.items() if owner == name} - tables
    migration_indexes = _migration_indexes(session.connection().dialect.name)

    def include_name(object_name, type_, parent_names):
        if type_ == "table":
            return object_name in tables or object_name in extended
        return True

    def include_object(obj, object_name, type_, reflected, compare_to):
        if type_ == "table":
            return object_name in tables or object_name in extended
        table = getattr(obj, "table", None)
        if table is None:
            return True
        if type_ == "index" and (table.name, object_name) in migration_indexes:
            return False
        owners = {extensions.get((table.name, c)) for c in _column_names(obj)}
        if table.name in extended:  # another addon's table: only our own columns
            return bool(owners) and owners == {name}
        if table.name not in tables:
            return False
        return not owners - {None, name}  # never another addon's extension

    context = MigrationContext.configure(session.connection(), opts={
        "target_metadata": Model.metadata, "compare_type": True,
        "include_name": include_name, "include_object": include_object})
    try:
        return produce_migrations(context, Model.metadata)
    finally:
        session.rollback()


def generate(session: Session, runtime, name: str, message: str) -> Path:
    """Write the migration for what changed in `name`'s tables; returns its file."""
    direct_deps = _check_database(session, runtime, name)
    addon = runtime.loaded[name]
    if addon.migrations_dir is None:
        raise RevisionError(f"addon '{name}' has no migrations/ folder: make "
                            f"{addon.source.path / 'migrations'} with its first revision "
                            "(the scaffold's 0001 shows the shape)")
    script_ops = compare(session, runtime, name)
    if script_ops.upgrade_ops.is_empty():
        tables = set(addon.tables) | {t for (t, _c), owner in _extension_columns().items()
                                      if owner == name}
        raise RevisionError(f"no changes in the tables of addon '{name}' "
                            f"({', '.join(sorted(tables)) or 'none'}): nothing written")
    script = ScriptDirectory.from_config(migrate.alembic_config(runtime.addon_dirs))
    script.file_template = "%(rev)s"  # the file is named after its revision id
    numbers = [int(m.group()) for f in addon.migrations_dir.glob("*.py")
               if (m := re.match(r"\d+", f.name))]
    heads = sorted(r.revision for d in direct_deps for r in script.get_revisions(f"{d}@head"))
    with contextlib.redirect_stdout(io.StringIO()):  # Alembic's "Generating ... done"
        revision = script.generate_revision(
            _revision_id(max(numbers, default=0) + 1, name, message), message,
            head=f"{name}@head", version_path=str(addon.migrations_dir),
            depends_on=(heads[0] if len(heads) == 1 else heads) or None, imports="",
            upgrades=render_python_code(script_ops.upgrade_ops, render_as_batch=True),
            downgrades=render_python_code(script_ops.downgrade_ops, render_as_batch=True))
    return Path(revision.path)
