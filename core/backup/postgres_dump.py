"""PostgreSQL: pg_dump's custom format from one exported snapshot, pg_restore in one transaction.

The header's account (schema revisions, addons) is read in the very transaction
whose snapshot pg_dump uses, so both describe the same moment while the app
keeps writing. A restore checks the whole backup first, then feeds it to
pg_restore with --single-transaction: the target gets all of it or nothing.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from .envelope import BackupError
from .schema_state import describe


def _tool(name: str) -> str:
    """Debian's newest client binaries (pg_dump must be at least the server's version)."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                   key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if not found:
        raise BackupError(f"{name} not found under /usr/lib/postgresql (Debian package 'postgresql-client')")
    return str(found[-1])


def _libpq(url: str) -> tuple[str, dict | None]:
    """A libpq URL for the tools; a password goes in their environment, not on
    the command line (where `ps` shows it)."""
    parsed = make_url(url)
    env = {**os.environ, "PGPASSWORD": parsed.password} if parsed.password else None
    return parsed.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False), env


def _run(cmd: list[str], env: dict | None, **kwargs) -> None:
    with tempfile.TemporaryFile() as err:
        done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err, **kwargs)
        if done.returncode:
            err.seek(0)
            raise BackupError(f"{Path(cmd[0]).name} failed: {err.read().decode(errors='replace')[-2000:]}")


def dump(url: str, addons_paths: tuple[Path, ...], into: Path) -> dict:
    """pg_dump -Fc into the file `into`; returns its schema_state.describe."""
    dsn, env = _libpq(url)
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with _connected(engine) as conn:
            snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
            described = describe(conn, addons_paths)
            _run([_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}",
                  f"--file={into}", dsn], env)
            conn.rollback()
    finally:
        engine.dispose()
    return described


def _connected(engine):
    try:
        return engine.connect()
    except OperationalError as exc:
        raise BackupError(f"cannot reach the database {engine.url.database}: "
                          f"{str(exc.orig).strip()}") from None


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with _connected(engine) as conn:
            return list(conn.scalars(text(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")))
    finally:
        engine.dispose()


def refuse_unless_empty(url: str) -> None:
    tables = _tables(url)
    if tables:
        name = make_url(url).database
        raise BackupError(
            f"the target database {name} is not empty: it holds {len(tables)} table(s) "
            f"({', '.join(tables[:5])}{', ...' if len(tables) > 5 else ''}); restore into a new "
            "database (createdb, then point CROSSDOCK_DATABASE_URL at it)")


def _empty(url: str) -> None:
    """Back to an empty database after a failed migration of what was restored."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def load(url: str, payload: Callable[[], Iterator[bytes]],
         migrate: Callable[[str], None] | None = None) -> None:
    """Check the whole payload, pg_restore it in one transaction, `migrate(url)`
    if given; on any failure the database is left empty."""
    for _chunk in payload():  # a bad file is refused before the database is touched
        pass
    dsn, env = _libpq(url)
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([_tool("pg_restore"), "--single-transaction", "--exit-on-error",
                                 "--no-owner", "--no-privileges", f"--dbname={dsn}"],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err,
                                env=env)
        try:
            for chunk in payload():
                proc.stdin.write(chunk)
            proc.stdin.close()
        except BrokenPipeError:
            pass  # pg_restore stopped: its status and message say why
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if proc.wait():
            err.seek(0)
            raise BackupError("pg_restore failed; the database is left empty: "
                              f"{err.read().decode(errors='replace')[-2000:]}")
    if migrate is not None:
        try:
            migrate(url)
        except BaseException:
            _empty(url)
            raise
