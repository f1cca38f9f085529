"""Backup and restore of a million contacts, on SQLite and on PostgreSQL.

Seeds a database with bench/contacts_seed.py (or reuses a seeded one), times
`crossdock backup`'s work (snapshot, checksum, encryption into the backup
file) and `crossdock restore`'s (checks, decryption, load into an empty
database), and prints seconds, the file's size and MB/s of the plain dump.

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

SECRET = "bench-secret-key-" + "x" * 32


def _settings(instance: Path, url: str) -> Settings:
    return Settings.from_env(instance_path=instance, database_url=url, secret_key=SECRET)


def measure(label: str, source: str, target: str, work: Path) -> None:
    backup = work / f"{label}.backup"
    t = time.perf_counter()
    take_backup(_settings(work / "instance", source), backup)
    took = time.perf_counter() - t
    header, _sealed = envelope.open_backup(backup, key_ring((), SECRET))
    plain = header["payload"]["size"] / 1e6
    t = time.perf_counter()
    restore_backup(_settings(work / "restored", target), backup)
    back = time.perf_counter() - t
    print(f"{label}: dump {plain:,.1f} MB, file {backup.stat().st_size / 1e6:,.1f} MB; "
          f"backup {took:.1f} s ({plain / took:.0f} MB/s), "
          f"restore {back:.1f} s ({plain / back:.0f} MB/s)")
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
