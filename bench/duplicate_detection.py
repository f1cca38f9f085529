"""Duplicate detection figures on a big base: save-time lookups, the import's
bulk index, and pages of the duplicate groups screen.

Fills a fresh database with N companies (one e-mail and one phone each, 1 in
100 repeating an earlier one's, 1 in 50 sharing an e-mail domain with the
previous), then times the services. Not part of the test verdict.

    .venv/bin/python bench/duplicate_detection.py [--contacts 200000] [--postgres]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

BATCH = 20_000


def timed(fn, runs=1):
    seconds = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - t)
    return statistics.median(seconds) * 1000, result


def _key_of(i: int) -> int:
    return i - 1 if i % 100 == 0 else i  # every 100th repeats the previous one's keys


def email(i: int) -> str:
    j = _key_of(i)
    return f"info{j}@d{j // 50}.cn"


def phone(i: int) -> str:
    return f"+86138{_key_of(i):08d}"


def fill(session, n):
    from addons.contacts.models import Company, ContactEmail, ContactPhone
    from addons.contacts.services.search.index import reindex

    conn = session.connection()
    for start in range(0, n, BATCH):
        ids = range(start + 1, min(n, start + BATCH) + 1)
        conn.execute(insert(Company.__table__), [
            {"id": i, "name": f"Company {i // 50} {'Co., Ltd.' if i % 2 else 'GmbH'}",
             "active": True} for i in ids])
        conn.execute(insert(ContactEmail.__table__), [
            {"company_id": i, "kind": "work", "email": "x", "normalised": email(i)} for i in ids])
        conn.execute(insert(ContactPhone.__table__), [
            {"company_id": i, "kind": "work", "number": "x", "e164": phone(i)} for i in ids])
        reindex(conn, "company", ids)  # bulk inserts bypass the search index's listener
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE"))  # as autovacuum would after such a load
        session.commit()


def run(url, n):
    from core.app import create_app
    from core.db import db
    from tests.conftest import test_settings
    from tests.helpers import install

    app = create_app(test_settings(Path(tempfile.mkdtemp()) / "instance", url))
    install(app, "contacts")
    with app.app_context():
        from addons.contacts.services.duplicates import detection as dd
        from addons.contacts.services.duplicates import groups as dg

        ms, _ = timed(lambda: fill(db.session, n))
        print(f"fill {n} companies (+e-mails, phones, index)   {ms / 1000:8.1f} s")
        s = db.session
        probe = (n // 200) * 100  # repeats the keys of probe - 1
        ms, found = timed(lambda: dd.find_exact(s, "company", emails=[email(probe)],
                                                phones=[phone(probe)]), runs=20)
        print(f"find_exact (1 e-mail + 1 phone), p50          {ms:8.1f} ms  ({len(found)} matches)")
        keys = [email(i) for i in range(1, min(n, 100_000) + 1)]
        ms, index = timed(lambda: dd.exact_index(s, "company", emails=keys, phones=(), tax_ids=()))
        print(f"exact_index ({len(keys)} e-mails)                {ms:8.1f} ms  ({len(index)} keys found)")
        ms, found = timed(lambda: dd.find_likely(s, "company", f"Company {probe // 50} Ltd",
                                                 email_domains=[f"d{probe // 50}.cn"]), runs=5)
        print(f"find_likely (domain), p50                      {ms:8.1f} ms  ({len(found)} matches)")
        for by in ("email", "phone"):
            for page in (0, 100):
                ms, groups = timed(lambda: dg.exact_groups(s, "company", by, page), runs=3)
                print(f"groups by {by:<5} page {page:<3}, p50               {ms:8.1f} ms  "
                      f"({len(groups)} groups)")
        ms, groups = timed(lambda: dg.likely_groups(s, "company", 0), runs=3)
        print(f"likely groups (domain) page 0, p50             {ms:8.1f} ms  ({len(groups)} groups)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    if args.postgres:
        from bench.pg_cluster import create_database, pg_cluster

        with pg_cluster() as admin_url:
            print(f"PostgreSQL, {args.contacts} companies")
            run(create_database(admin_url, "bench_duplicates"), args.contacts)
    else:
        print(f"SQLite, {args.contacts} companies")
        run(f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite", args.contacts)


if __name__ == "__main__":
    main()
