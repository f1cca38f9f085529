"""Alembic, driven from code: one branch for the platform, one per addon.

The platform's revisions live in `migrations/versions` (branch `platform`);
each addon keeps its own in `<addon>/migrations` (branch named after the
addon). Every function takes an open connection and runs inside the caller's
transaction, so a failing migration rolls back with everything else.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import to_tuple
from sqlalchemy.engine import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"
PLATFORM = "platform"


def alembic_config(addon_dirs: Iterable[Path] = (), connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    locations = [str(MIGRATIONS_DIR / "versions"), *(str(d) for d in addon_dirs)]
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(connection: Connection, branch: str, addon_dirs: Iterable[Path] = ()) -> None:
    command.upgrade(alembic_config(addon_dirs, connection), f"{branch}@head")


def downgrade(connection: Connection, branch: str, addon_dirs: Iterable[Path] = ()) -> None:
    command.downgrade(alembic_config(addon_dirs, connection), f"{branch}@base")


def current_heads(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def applied_revisions(connection: Connection, addon_dirs: Iterable[Path] = ()) -> set[str]:
    """Every revision the database has run: the stored heads and all they rest on.
    A revision's `depends_on` counts (Alembic then stores only the dependent's
    id, so another branch's head may be applied without being stored)."""
    return revisions_below(current_heads(connection), addon_dirs)


def revisions_below(heads: Iterable[str], addon_dirs: Iterable[Path] = ()) -> set[str]:
    """The revisions `heads` rest on, themselves included (each must be known)."""
    script = ScriptDirectory.from_config(alembic_config(addon_dirs))
    applied: set[str] = set()
    todo = [script.get_revision(h) for h in heads]
    while todo:
        rev = todo.pop()
        if rev is None or rev.revision in applied:
            continue
        applied.add(rev.revision)
        todo += script.get_revisions(to_tuple(rev.down_revision, default=()))
        todo += script.get_revisions(to_tuple(rev.dependencies, default=()))
    return applied


def branch_is_current(connection: Connection, branch: str, addon_dirs: Iterable[Path] = ()) -> bool:
    """Whether the branch's head is applied: a current head or below one. A head
    another branch `depends_on` (an addon extending this one's tables) is not
    kept in the version table once the dependent revision is applied."""
    script = ScriptDirectory.from_config(alembic_config(addon_dirs))
    heads = {r.revision for r in script.get_revisions(f"{branch}@head")}
    return heads <= applied_revisions(connection, addon_dirs)
