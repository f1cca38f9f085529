"""Backup and restore of a million contacts, on SQLite and on PostgreSQL.

Seeds a database with bench/contacts_seed.py (or reuses a seeded one), times
`crossdock backup`'s work (snapshot, checksum, encryption into the backup
file) and `crossdock restore`'s (checks, decryption, load into an empty
database, PostgreSQL's index builds included), and prints seconds, the
database's, the plain dump's and the backup file's sizes, and MB/s of database.

    .venv/bin/python bench/backup_restore.py [--db sqlite|postgres|both] [--count 1000000]
    .venv/bin/python bench/backup_restore.py --db sqlite --reuse /tmp/bench/x.sqlite
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.contacts_seed import seed  # noqa: E402
from bench.pg_cluster import create_database, pg_cluster  # noqa: E402
from core.backup import envelope  # noqa: E402
from core.backup.restore import restore_backup  # noqa: E402
from core.backup.take import take_backup  # noqa: E402
from core.config import Settings  # noqa: E402
from core.security.secrets import key_ring  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

SECRET = "bench-secret-key-" + "x" * 32


def _settings(instance: Path, url: str) -> Settings:
    return Settings.from_env(instance_path=instance, database_url=url, secret_key=SECRET)


def database_mb(url: str) -> float:
    if url.startswith("sqlite"):
        return Path(url.removeprefix("sqlite:///")).stat().st_size / 1e6
    engine = create_engine(url)
    with engine.connect() as conn:
        size = conn.scalar(text("SELECT pg_database_size(current_database())"))
    engine.dispose()
    return size / 1e6


def measure(label: str, source: str, target: str, work: Path) -> None:
    backup = work / f"{label}.backup"
    size = database_mb(source)
    t = time.perf_counter()
    take_backup(_settings(work / "instance", source), backup)
    took = time.perf_counter() - t
    header, _sealed = envelope.open_backup(backup, key_ring((), SECRET))
    t = time.perf_counter()
    restore_backup(_settings(work / "restored", target), backup)
    back = time.perf_counter() - t
    print(f"{label}: database {size:,.1f} MB, dump {header['payload']['size'] / 1e6:,.1f} MB, "
          f"file {backup.stat().st_size / 1e6:,.1f} MB; backup {took:.1f} s "
          f"({size / took:.0f} MB/s of database), restore {back:.1f} s ({size / back:.0f} MB/s)")
    backup.unlink()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--reuse", help="an already seeded SQLite file (with --db sqlite)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="crossdock-bench-backup-"))
    try:
        if args.db in ("sqlite", "both"):
            path = Path(args.reuse).resolve() if args.reuse else work / "crossdock.sqlite"
            if not args.reuse:
                seed(f"sqlite:///{path}", args.count, 50, work / "instance")
            measure("SQLite", f"sqlite:///{path}",
                    f"sqlite:///{work / 'restored' / 'crossdock.sqlite'}", work)
        if args.db in ("postgres", "both"):
            with pg_cluster() as admin_url:
                source = create_database(admin_url, "bench")
                seed(source, args.count, 50, work / "instance")
                measure("PostgreSQL", source, create_database(admin_url, "restored"), work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
