"""Lead assignment (services/leads/lead_assignment.py): what assigning adds to
creating a lead, and throughput when several threads create leads at once
(each lead takes the rule's row lock, so creations serialise on it).

A fresh SQLite database (or, with --pg, a throwaway PostgreSQL cluster; or
--pg-url) with one rule of three members weighted 1:2:3. Prints:
- one lead created + committed alone, p50/p95 ms, with the rule and with the
  rule inactive (the assignment's share);
- T threads creating N leads each: leads/s, and the per-member counts
  (must be exactly 1:2:3 when T*N is a multiple of 6).

    .venv/bin/python bench/sales_assignment.py [--threads 4] [--leads 150] [--pg]
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--leads", type=int, default=150, help="per thread")
    parser.add_argument("--single", type=int, default=200, help="timed single creations")
    parser.add_argument("--pg", action="store_true", help="start a throwaway PostgreSQL")
    parser.add_argument("--pg-url", default=None)
    args = parser.parse_args()

    from bench.pg_cluster import create_database, pg_cluster

    with contextlib.ExitStack() as stack:
        url = args.pg_url
        instance = Path(tempfile.mkdtemp(prefix="bench-assign-"))
        if args.pg and not url:
            url = create_database(stack.enter_context(pg_cluster()), "bench_assign")
        url = url or f"sqlite:///{instance / 'bench.sqlite'}"
        run(url, instance, args)


def run(url: str, instance: Path, args) -> None:
    from sqlalchemy import select

    from core.addons import lifecycle
    from core.app import create_app
    from core.config import Settings
    from core.db import db
    from core.security.actor import SYSTEM, acting_as
    from core.users import create_user

    app = create_app(Settings.from_env(instance_path=instance, database_url=url,
                                       addon_poll_seconds=3600.0))
    with app.app_context():
        lifecycle.install(db.session, app.extensions["crossdock"].runtime, ["sales"])
        from addons.sales.models import AssignmentMember, AssignmentRule, Lead

        users = [create_user(app.appbuilder.sm, f"seller{i}", f"seller{i}@example.com",
                             "Secret-pass-123", ["Salesperson"]).id for i in range(3)]
        rule = AssignmentRule(name="Everyone", members=[
            AssignmentMember(user_id=u, weight=w) for u, w in zip(users, (1, 2, 3))])
        db.session.add(rule)
        db.session.commit()
        rule_id = rule.id

    def create(prefix: str, n: int) -> list[float]:
        times = []
        with app.app_context(), acting_as(SYSTEM):
            for i in range(n):
                t0 = time.perf_counter()
                db.session.add(Lead(name=f"{prefix} {i}", source="web"))
                db.session.commit()
                times.append((time.perf_counter() - t0) * 1000)
        return times

    def set_active(active: bool) -> None:
        with app.app_context():
            db.session.get(AssignmentRule, rule_id).active = active
            db.session.commit()

    print(f"database: {url.split('://')[0]}")
    set_active(False)
    off = create("off", args.single)
    set_active(True)
    on = create("on", args.single)
    print(f"one lead + commit, no rule:   p50 {statistics.median(off):.2f} ms, "
          f"p95 {pct(off, 95):.2f} ms")
    print(f"one lead + commit, assigned:  p50 {statistics.median(on):.2f} ms, "
          f"p95 {pct(on, 95):.2f} ms")

    with app.app_context():
        before = Counter(db.session.scalars(select(Lead.owner_id).where(
            Lead.owner_id.is_not(None))))
    errors = []
    barrier = threading.Barrier(args.threads)

    def worker(n: int) -> None:
        try:
            barrier.wait()
            create(f"T{n}", args.leads)
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.threads)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    with app.app_context():
        after = Counter(db.session.scalars(select(Lead.owner_id).where(
            Lead.owner_id.is_not(None))))
    counts = [after[u] - before[u] for u in users]
    total = args.threads * args.leads
    print(f"{args.threads} threads x {args.leads} leads: {total / elapsed:.0f} leads/s "
          f"({elapsed:.1f} s), per member (weights 1:2:3): {counts}, errors: {len(errors)}")
    if errors:
        print("first error:", errors[0])


if __name__ == "__main__":
    main()
