"""What a backup's header says about the database's schema and addons, and
whether this code can take it back: a revision the code does not know (a newer
Crossdock, an addon missing here) is refused; branches the code has moved past
are named, to be migrated after the restore."""
from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from .. import migrate
from ..addons.discovery import discover, migration_dirs
from .envelope import BackupError


def _script(addons_paths: tuple[Path, ...]) -> tuple[ScriptDirectory, list[Path]]:
    dirs = migration_dirs(discover(addons_paths))
    return ScriptDirectory.from_config(migrate.alembic_config(dirs)), dirs


def _known(script: ScriptDirectory, revision: str):
    try:
        return script.get_revision(revision)
    except CommandError:  # alembic's word for a revision no script folder has
        return None


def describe(conn: Connection, addons_paths: tuple[Path, ...]) -> dict:
    """The header's account of the database: Alembic heads (with their branch)
    and every addon row (state, installed version)."""
    script, _dirs = _script(addons_paths)
    heads = sorted(migrate.current_heads(conn))
    branches = {}
    for head in heads:
        rev = _known(script, head)
        branches[head] = sorted(rev.branch_labels) if rev else []
    addons = []
    if inspect(conn).has_table("crossdock_addon"):
        addons = [dict(r) for r in conn.execute(text(
            "SELECT name, state, installed_version FROM crossdock_addon ORDER BY name")).mappings()]
    return {"alembic_heads": branches, "addons": addons}


def branches_behind(header: dict, addons_paths: tuple[Path, ...]) -> list[str]:
    """The backup's branches whose newest revision in this code it lacks;
    BackupError when it holds a revision this code does not know."""
    script, dirs = _script(addons_paths)
    heads = header["alembic_heads"]
    unknown = [f"{h} ({', '.join(labels) or 'branch unknown'})" for h, labels in heads.items()
               if _known(script, h) is None]
    if unknown:
        raise BackupError(
            f"the backup holds schema revision(s) this code does not know: {'; '.join(unknown)}; "
            f"it was taken by a newer Crossdock (version {header.get('crossdock_version')}) "
            "or with an addon missing here: restore it with that version and its addons")
    applied = migrate.revisions_below(heads, dirs)
    branches = sorted({label for rev in applied for label in script.get_revision(rev).branch_labels})
    return [b for b in branches
            if not {r.revision for r in script.get_revisions(f"{b}@head")} <= applied]
