"""Leads taken in per second through the social leads' inbound path (issue
17), on SQLite and on PostgreSQL (a throwaway cluster, core/testing/
pg_cluster.py): N deliveries stored raw with `hub.receive` and committed one
by one, as the webhooks and the web form do, half of them web form
submissions and half Meta leads as the backfill stores them (both processed
without a remote call); 10% of the deliveries are repeats of one already
stored (a platform's retry: stored once, no job), and one person in five
comes back later with a new submission (same e-mail: a touch on their lead,
not a lead). Then two worker threads of the embedded broker run the jobs
through the channels' process functions and intake.

Printed per database: the store time per delivery (p50/p95), the drain's
leads/s and touches/s (of the wall time from the workers' start to the last
job done), each job's own time from claim to finish (p50/p95), and whether
the result is exact (one lead per person, one touch per unique delivery).

    .venv/bin/python bench/social_leads_intake.py               # N = 1000, both
    .venv/bin/python bench/social_leads_intake.py --deliveries 200 --only sqlite
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.testing.pg_cluster import create_database, pg_cluster  # noqa: E402

KINDS = ("inbound.social.web_form", "inbound.social.meta")


def _app(instance: Path, url: str):
    from core.app import create_app
    from core.config import Settings

    app = create_app(Settings.from_env(instance_path=instance, database_url=url,
                                       addon_poll_seconds=3600.0, hub_embedded_threads=0))
    with app.app_context():
        from core.addons import lifecycle
        from core.db import db

        lifecycle.install(db.session, app.extensions["crossdock"].runtime, ["social_leads"])
    return app


def _meta_backend(app) -> int:
    from connectors.hub.models import Backend
    from core.db import db

    with app.app_context():
        row = Backend(name="Meta", kind="meta_leads", url="https://graph.facebook.com",
                      secret=json.dumps({"app_secret": "s", "verify_token": "v",
                                         "page_access_token": "p"}))
        db.session.add(row)
        db.session.commit()
        return row.id


def deliveries(n: int) -> tuple[list[tuple[str, str, dict, str]], int, int]:
    """(source, external id, payload, serial key) of each delivery, the
    persons and the returns among the unique ones."""
    unique = n - n // 10
    now = dt.datetime.utcnow().replace(microsecond=0)
    events, persons = [], 0
    for i in range(unique):
        returning = i % 5 == 4  # one in five: a person seen before comes back
        person = (i * 7) % persons if returning else persons
        persons += 0 if returning else 1
        email = f"buyer{person}@bench-{person % 97}.example.cn"
        if i % 2:
            payload = {"backend_id": None, "lead": {
                "leadgen_id": f"{880000000 + i}", "created_time":
                    now.strftime("%Y-%m-%dT%H:%M:%S+0000"), "form_id": "F1",
                "fields": {"full_name": [f"客户 {person}"], "email": [email],
                           "company_name": [f"公司 {person % 97}"]}, "campaign_id": "C1"}}
            events.append(("social.meta", f"{880000000 + i}", payload, f"{880000000 + i}"))
        else:
            submission = str(uuid.UUID(int=i + 1))
            payload = {"form_id": 1, "form": "官网询价", "campaign": "bench",
                       "values": {"name": f"Buyer {person}", "email": email,
                                  "message": "请报价"},
                       "utm": {"utm_source": "baidu", "utm_medium": "cpc"}, "page": None,
                       "language": "zh", "address": "198.51.100.7",
                       "submitted_at": now.isoformat(timespec="seconds")}
            events.append(("social.web_form", submission, payload, email))
    events += events[: n - unique]  # the platforms' retries
    return events, persons, unique - persons


def store(app, events, backend_id: int) -> list[float]:
    from connectors import hub
    from core.db import db

    times = []
    with app.app_context():
        for source, external_id, payload, serial_key in events:
            if "lead" in payload:
                payload = {**payload, "backend_id": backend_id}
            started = time.perf_counter()
            hub.receive(db.session, source, external_id, payload, serial_key=serial_key)
            db.session.commit()
            times.append((time.perf_counter() - started) * 1000)
        db.session.remove()
    return times


def drain(app, expected: int, timeout: float = 900.0) -> float:
    from sqlalchemy import func, select

    from connectors.hub.models import SyncJob
    from core.db import db

    started = time.perf_counter()
    app.extensions["hub"].start_worker(2)
    try:
        while time.perf_counter() - started < timeout:
            with app.app_context():
                ended = db.session.scalar(select(func.count()).where(
                    SyncJob.kind.in_(KINDS), SyncJob.state.in_(("done", "failed"))))
                db.session.remove()
            if ended >= expected:
                return time.perf_counter() - started
            time.sleep(0.02)
    finally:
        app.extensions["hub"].stop()
    raise SystemExit(f"only {ended} of {expected} jobs ended in {timeout:.0f} s")


def bench(label: str, url: str, instance: Path, n: int) -> None:
    from sqlalchemy import func, select

    from addons.sales.models.lead import Lead
    from addons.social_leads.models import LeadTouch
    from connectors.hub.models import SyncJob
    from core.db import db

    app = _app(instance, url)
    events, persons, returns = deliveries(n)
    stored = store(app, events, _meta_backend(app))
    unique = len(events) - (n // 10)
    seconds = drain(app, unique)
    with app.app_context():
        leads = db.session.scalar(select(func.count(Lead.id)))
        touches = db.session.scalar(select(func.count(LeadTouch.id)).where(
            LeadTouch.created.is_(False)))
        all_touches = db.session.scalar(select(func.count(LeadTouch.id)))
        failed = db.session.scalar(select(func.count()).where(SyncJob.state == "failed"))
        jobs = [(f - s).total_seconds() * 1000 for s, f in db.session.execute(
            select(SyncJob.started_at, SyncJob.finished_at).where(SyncJob.kind.in_(KINDS)))]
        db.session.remove()
    exact = (leads, touches, all_touches, failed) == (persons, returns, unique, 0)
    store_cuts, job_cuts = statistics.quantiles(stored, n=100), statistics.quantiles(jobs, n=100)
    print(f"{label}: {n} deliveries ({n // 10} repeated), {persons} persons, {returns} back again")
    print(f"  store: p50 {store_cuts[49]:.1f} ms, p95 {store_cuts[94]:.1f} ms per delivery "
          "(hub.receive + commit)")
    print(f"  take in: {unique} events in {seconds:.2f} s, {unique / seconds:.1f}/s: "
          f"{leads / seconds:.1f} leads/s + {touches / seconds:.1f} touches/s; per event "
          f"p50 {job_cuts[49]:.1f} ms, p95 {job_cuts[94]:.1f} ms (2 worker threads)")
    print(f"  exact: {leads} leads for {persons} persons, {touches} touches for {returns} "
          f"returns, {failed} failed: {'yes' if exact else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-social-intake-"))
    try:
        if args.only != "postgres":
            bench("SQLite", f"sqlite:///{folder / 'social.sqlite'}", folder / "sqlite",
                  args.deliveries)
        if args.only != "sqlite":
            with pg_cluster() as admin_url:
                bench("PostgreSQL", create_database(admin_url, "bench_social"),
                      folder / "postgres", args.deliveries)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
