"""Lead scoring: what the scoring listener adds to a lead write, and how long
rescoring every lead takes after a rule change (services/leads/lead_scoring.py).

A fresh SQLite (or, with --pg-url, PostgreSQL) database with N leads (default
20,000), 9 rules (7 field rules incl. a tag rule, 2 activity rules) and one
done call on every 10th lead. Prints:
- one lead update + commit, p50/p95 ms, with the rules and with none (the
  listener's share);
- creating leads in flushes of 1,000 (leads/s);
- rescore_all over every lead (s).

    .venv/bin/python bench/sales_lead_scoring.py [--leads 20000] [--pg-url URL]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RULES = [("web", "field", "source", "web", None, 20), ("east", "field", "region", "华东", None, 15),
         ("email", "field", "has_email", None, None, 5), ("phone", "field", "has_phone", None, None, 5),
         ("company", "field", "has_company", None, None, 10),
         ("prio", "field", "priority", "3", None, 10), ("vip", "field", "tag", "vip", None, 30),
         ("calls", "activity", None, None, "call", 7),
         ("meetings", "activity", None, None, "meeting", 12)]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--pg-url", default=None)
    args = parser.parse_args()

    from core.app import create_app
    from core.config import Settings
    from core.db import db

    instance = Path(tempfile.mkdtemp(prefix="bench-scoring-"))
    url = args.pg_url or f"sqlite:///{instance / 'bench.sqlite'}"
    app = create_app(Settings.from_env(instance_path=instance, database_url=url,
                                       addon_poll_seconds=3600.0))
    from core.addons import lifecycle

    with app.app_context():
        lifecycle.install(db.session, app.extensions["crossdock"].runtime, ["sales"])
        from addons.contacts.models import Tag
        from addons.sales.models import Activity, Lead, ScoringRule
        from addons.sales.services.leads.lead_scoring import rescore_all
        from core.users import create_user

        user = create_user(app.appbuilder.sm, "bench", "bench@example.com", "Bench-pass-123",
                           ["Sales Manager"])
        vip = Tag(name="VIP")
        db.session.add(vip)
        db.session.add_all(ScoringRule(name=n, kind=k, field=f, value=v, activity_kind=a,
                                       points=p) for n, k, f, v, a, p in RULES)
        db.session.commit()
        rng = random.Random(7)
        started = time.perf_counter()
        for start in range(0, args.leads, 1000):
            for i in range(start, min(start + 1000, args.leads)):
                db.session.add(Lead(
                    name=f"lead {i}", owner_id=user.id,
                    source=rng.choice(["web", "fair", "referral", None]),
                    region=rng.choice(["华东", "华南", "DACH", None]),
                    email=f"l{i}@example.com" if i % 2 else None,
                    phone="13800138000" if i % 3 else None, priority=rng.randint(0, 3),
                    tags=[vip] if i % 7 == 0 else []))
            db.session.flush()
        db.session.commit()
        create_s = time.perf_counter() - started
        ids = [lead_id for (lead_id,) in db.session.execute(db.select(Lead.id))]
        now = dt.datetime.utcnow()
        db.session.add_all(Activity(kind="call", summary="call", due_date=now.date(),
                                    owner_id=user.id, lead_id=lead_id, done_at=now)
                           for lead_id in ids[::10])
        db.session.commit()

        def timed_updates() -> list[float]:
            times = []
            for n in range(args.updates):
                lead = db.session.get(Lead, rng.choice(ids))
                t0 = time.perf_counter()
                lead.source = rng.choice(["web", "fair"])
                lead.description = f"touch {n}"
                db.session.commit()
                times.append((time.perf_counter() - t0) * 1000)
            return times

        with_rules = timed_updates()
        t0 = time.perf_counter()
        changed = rescore_all(db.session)
        db.session.commit()
        rescore_s = time.perf_counter() - t0
        db.session.query(ScoringRule).update({"active": False})
        db.session.commit()
        without = timed_updates()
        print(f"database: {db.engine.dialect.name}, leads: {args.leads}, rules: {len(RULES)}")
        print(f"create leads (flush per 1,000, scored): {args.leads / create_s:,.0f} leads/s")
        print(f"update one lead + commit, 9 rules: p50 {statistics.median(with_rules):.1f} ms, "
              f"p95 {pct(with_rules, 95):.1f} ms")
        print(f"update one lead + commit, no active rule: p50 {statistics.median(without):.1f} ms, "
              f"p95 {pct(without, 95):.1f} ms")
        print(f"rescore_all after a rule change: {rescore_s:.2f} s ({changed} changed)")


if __name__ == "__main__":
    main()
