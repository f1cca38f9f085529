"""`crossdock restore FILE [--migrate]`: a backup back into an empty database.

1. Refusals first, nothing changed: a file these keys cannot open or that was
   altered or cut (envelope.py), a backup of the other database kind, schema
   revisions this code does not know (a newer Crossdock or an addon missing
   here), a schema older than the code without `migrate`, a target that is
   not empty (its tables are named).
2. The database comes back whole or not at all (sqlite_file.py,
   postgres_dump.py); with `migrate` the platform and the addons behind are
   upgraded before the restore counts as done.
3. Then the instance's secret key: written to `<instance>/secret_key` (a
   different one there is kept as `secret_key.replaced-<time>`).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

from ..config import Settings
from ..migrate import PLATFORM
from ..security.secrets import key_ring
from . import envelope, schema_state
from .envelope import BackupError
from .take import CONTENT, engine_kind


@dataclasses.dataclass
class Restored:
    header: dict
    migrated: list[str]  # branches upgraded after loading
    secret_key_file: Path | None  # written (None: it already held the backup's key)


def _upgrade(settings: Settings, branches: list[str], url: str) -> None:
    """Upgrade the restored database at `url`: create_app migrates the platform,
    then the addons whose branches are behind."""
    from ..addons import lifecycle
    from ..app import create_app
    from ..db import db

    try:
        app = create_app(dataclasses.replace(settings, database_url=url))
        with app.app_context():
            try:
                addons = [b for b in branches if b != PLATFORM]
                if addons:
                    lifecycle.upgrade(db.session, app.extensions["crossdock"].runtime, addons)
            finally:
                db.session.remove()
                db.engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure of the migration is the restore's
        raise BackupError(f"migrating the restored database failed ({exc}); the target "
                          "is left empty") from exc


def _put_secret_key(settings: Settings, key: str | None) -> Path | None:
    path = settings.instance_path / "secret_key"
    if key is None or (path.is_file() and path.read_text().strip() == key):
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
        path.rename(path.with_name(f"secret_key.replaced-{stamp}"))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return path


def restore_backup(settings: Settings, path: Path, *, migrate: bool = False) -> Restored:
    """Restore the backup at `path` into the configured (empty) database;
    BackupError, with the target unchanged, on every refusal or failure."""
    ring = key_ring(settings.secrets_keys, settings.secret_key)
    header, sealed = envelope.open_backup(path, ring)
    if header.get("content") != CONTENT:
        raise BackupError(f"{path} is an uninstall backup of addon tables: put it back with "
                          "'crossdock addons restore' after installing the addon")
    kind, database = engine_kind(settings.database_url)
    if header["database"] != kind:
        raise BackupError(f"{path} is a backup of a {header['database']} database and the "
                          f"target is {kind}: restore it into a {header['database']} database")
    behind = schema_state.branches_behind(header, settings.addons_paths)
    if behind and not migrate:
        raise BackupError(f"the backup's schema is older than this code ({', '.join(behind)}): "
                          "restore with --migrate to upgrade it as it is restored")
    database.refuse_unless_empty(settings.database_url)
    database.load(settings.database_url, lambda: envelope.payload(path, ring),
                  (lambda url: _upgrade(settings, behind, url)) if behind else None)
    return Restored(header, behind, _put_secret_key(settings, sealed["secret_key"]))
