"""Installed addons' migration scripts, kept in the database for when their code goes.

Alembic refuses to run anything while the database holds a revision that no
script folder knows, so an installed addon whose code was removed (a pip
package uninstalled, a folder deleted) would stop the host and every command.
Install and upgrade therefore copy the addon's `migrations/*.py` into
`crossdock_addon_script`; at start, `restore` writes the copies of every
installed addon missing on disk to `<instance>/addon_scripts/<addon>/` and
hands those folders to Alembic, which can then also downgrade the addon
(uninstall). An addon installed before the copies were kept has none: each
revision of the database no folder knows gets a stub that does nothing (in
`<instance>/addon_scripts/_unknown/`), so the host starts; uninstalling such
an addon needs `--force` and leaves its tables (core/addons/lifecycle.py).
"""
from __future__ import annotations

import shutil
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import delete, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .. import migrate
from .models import DISABLED, INSTALLED, AddonModule, AddonScript

UNKNOWN = "_unknown"
_STUB = '''"""Stub for a revision whose script is gone (core/addons/scripts.py)."""
revision = {rev!r}
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
'''


def record(session: Session, addon: str, migrations_dir: Path | None) -> None:
    """Keep a copy of the addon's migration scripts (replacing the previous one)."""
    session.execute(delete(AddonScript).where(AddonScript.addon == addon))
    if migrations_dir is None:
        return
    for path in sorted(migrations_dir.glob("*.py")):
        session.add(AddonScript(addon=addon, filename=path.name,
                                source=path.read_text(encoding="utf-8")))
    session.flush()


def forget(session: Session, addon: str) -> None:
    session.execute(delete(AddonScript).where(AddonScript.addon == addon))


def missing_installed(conn: Connection, on_disk) -> list[str]:
    """Installed (or disabled) addons whose code is not found."""
    if not inspect(conn).has_table(AddonModule.__tablename__):
        return []
    names = conn.scalars(select(AddonModule.name).where(
        AddonModule.state.in_((INSTALLED, DISABLED))))
    return sorted(n for n in names if n not in on_disk)


def restore(conn: Connection, folder: Path, on_disk, known_dirs: list[Path]) -> dict[str, Path]:
    """Write the kept scripts of missing addons (and stubs for revisions nobody knows)
    under `folder`; returns {addon or UNKNOWN: script folder} to add to Alembic's."""
    out: dict[str, Path] = {}
    missing = missing_installed(conn, on_disk)
    if not missing:
        return out
    insp = inspect(conn)
    if insp.has_table(AddonScript.__tablename__):
        for name in missing:
            rows = conn.execute(select(AddonScript.filename, AddonScript.source)
                                .where(AddonScript.addon == name)).all()
            if not rows:
                continue
            target = folder / name
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            for filename, source in rows:
                (target / filename).write_text(source, encoding="utf-8")
            out[name] = target
    stubs = folder / UNKNOWN
    shutil.rmtree(stubs, ignore_errors=True)
    unknown = unknown_heads(conn, [*known_dirs, *out.values()])
    if unknown:
        stubs.mkdir(parents=True)
        for rev in unknown:
            (stubs / f"{rev}.py").write_text(_STUB.format(rev=rev), encoding="utf-8")
        out[UNKNOWN] = stubs
    return out


def unknown_heads(conn: Connection, dirs: list[Path]) -> list[str]:
    """Revisions in alembic_version that no script in `dirs` (or the platform's) defines."""
    if not inspect(conn).has_table("alembic_version"):
        return []
    script = ScriptDirectory.from_config(migrate.alembic_config(dirs))
    unknown = []
    for head in conn.scalars(text("SELECT version_num FROM alembic_version")):
        try:
            script.get_revision(head)
        except CommandError:  # "Can't locate revision identified by ..."
            unknown.append(head)
    return sorted(unknown)


def stubbed_revisions_of(conn: Connection, addon: str, stub_dir: Path | None) -> list[str]:
    """The stubbed revisions that look like `addon`'s (its name in the revision id)."""
    if stub_dir is None:
        return []
    present = set(conn.scalars(text("SELECT version_num FROM alembic_version")))
    return sorted(p.stem for p in stub_dir.glob("*.py")
                  if p.stem in present and addon in p.stem)


def drop_version_rows(conn: Connection, revisions: list[str]) -> None:
    for rev in revisions:
        conn.execute(text("DELETE FROM alembic_version WHERE version_num = :r"), {"r": rev})
