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
from alembic.util import CommandError, to_tuple
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
    script = ScriptDirectory.from_config(alembic_config(addon_dirs))
    return _ancestry(script, current_heads(connection))


def revisions_below(heads: Iterable[str], addon_dirs: Iterable[Path] = ()) -> set[str]:
    """The revisions `heads` rest on, themselves included (unknown heads left out)."""
    return _ancestry(ScriptDirectory.from_config(alembic_config(addon_dirs)), heads)


def _ancestry(script: ScriptDirectory, heads: Iterable[str]) -> set[str]:
    """`heads` and every revision they rest on; heads `script` does not know are left out."""
    todo = []
    for head in heads:
        try:
            todo.append(script.get_revision(head))
        except CommandError:  # "Can't locate revision": a newer release's, or a stub's
            continue
    applied: set[str] = set()
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


def branches_behind(script: ScriptDirectory, db_heads: Iterable[str],
                    branches: Iterable[str]) -> list[str]:
    """The `branches` whose head (in `script`, the code's) the database has not
    applied. Database revisions the code does not know (a newer release
    migrated it) are left out: the caller decides what they mean."""
    applied = _ancestry(script, db_heads)
    labels = {label for rev in script.walk_revisions() for label in rev.branch_labels}
    return [b for b in branches if b in labels
            and not {r.revision for r in script.get_revisions(f"{b}@head")} <= applied]


def pending_revisions(connection: Connection, branches: Iterable[str],
                      addon_dirs: Iterable[Path] = ()) -> list[tuple[str, object]]:
    """(branch, alembic Script) of each revision of `branches` the database has
    not run, oldest first: what `upgrade` would run."""
    script = ScriptDirectory.from_config(alembic_config(addon_dirs))
    applied = _ancestry(script, current_heads(connection))
    labels = {label for rev in script.walk_revisions() for label in rev.branch_labels}
    pending = []
    for branch in branches:
        if branch in labels:
            revs = script.iterate_revisions(f"{branch}@head", "base")
            pending += reversed([(branch, r) for r in revs if r.revision not in applied])
    return pending
