"""Timeline figures: a company with N entries of its own plus its people's,
read newest first through REST and the show page, first page and a deep page
(keyset paging: the cost should not grow with the depth); and the demo data
load (200 companies, 400 people) in one transaction.

Times through the app's test client as the salesperson owning the company and
half its people (record rules on). Not part of the test verdict.

    .venv/bin/python bench/contacts_timeline.py [--entries 200000] [--runs 15] [--postgres]
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

BATCH = 20_000
PEOPLE = 200


def fill(session, n, owners):
    from addons.contacts.models import Company, Person, TimelineEntry

    conn = session.connection()
    company = conn.execute(insert(Company.__table__).returning(Company.__table__.c.id), [
        {"name": "Big customer", "active": True, "owner_id": owners[0]}]).scalar_one()
    assert company == 1  # the URLs below name it
    conn.execute(insert(Person.__table__), [
        {"name": f"Person {i}", "active": True, "company_id": 1,
         "owner_id": owners[i % 2]} for i in range(1, PEOPLE + 1)])
    start = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    for first in range(0, n, BATCH):
        rows = []
        for i in range(first, min(n, first + BATCH)):
            on_person = i % 4 == 0  # a quarter of the entries are the people's
            rows.append({"company_id": None if on_person else 1,
                         "person_id": (i // 4) % PEOPLE + 1 if on_person else None,
                         "kind": ("note", "call", "meeting")[i % 3], "subject": f"entry {i}",
                         "occurred_at": start + dt.timedelta(minutes=7 * i),
                         "author_id": owners[0]})
        conn.execute(insert(TimelineEntry.__table__), rows)
    session.commit()
    if session.get_bind().dialect.name == "postgresql":  # as autovacuum would after a bulk load
        session.connection().exec_driver_sql("ANALYZE")
        session.commit()


def timed(client, url, runs=15, **kwargs):
    ms, resp = [], None
    for i in range(runs + 2):
        t = time.perf_counter()
        resp = client.get(url, **kwargs)
        if resp.status_code != 200:
            raise SystemExit(f"{resp.status_code} on {url}")
        if i >= 2:
            ms.append((time.perf_counter() - t) * 1000)
    return statistics.median(ms), resp


def run(url, n, runs=15):
    from core.app import create_app
    from core.db import db
    from tests.conftest import test_settings
    from tests.helpers import add_user, api_token, install, login

    app = create_app(test_settings(Path(tempfile.mkdtemp()) / "instance", url))
    install(app, "contacts")
    owners = [add_user(app, "sam", ["Salesperson"]), add_user(app, "bob", ["Salesperson"])]
    with app.app_context():
        t = time.perf_counter()
        fill(db.session, n, owners)
        print(f"fill {n} timeline entries                     {time.perf_counter() - t:8.1f} s")
    client = app.test_client()
    login(client, "sam")
    headers = {"Authorization": f"Bearer {api_token(client, 'sam')}"}
    api = "/api/v1/company/1/timeline?limit=50"
    baseline, _ = timed(client, "/api/v1/company/1", runs, headers=headers)
    print(f"baseline: REST show of the company, p50       {baseline:8.1f} ms")
    first, resp = timed(client, api, runs, headers=headers)
    print(f"REST first page (50, with people's), p50      {first:8.1f} ms")
    cursor, depth = resp.get_json()["next"], "1,000 entries down"
    if cursor is None:
        raise SystemExit("--entries: more than one page (50) is needed")
    for _ in range(20):  # 1,000 entries down, or the last page of a smaller fill
        following = client.get(f"{api}&before={cursor}", headers=headers).get_json()["next"]
        if following is None:
            depth = "last (--entries < 1,100)"
            break
        cursor = following
    deep1k, _ = timed(client, f"{api}&before={cursor}", runs, headers=headers)
    print(f"REST page {depth}, p50{' ' * max(1, 31 - len(depth))}{deep1k:8.1f} ms")
    oldest = dt.datetime(2020, 1, 1) + dt.timedelta(minutes=7 * 1000)
    cursor = oldest.strftime("%Y-%m-%dT%H:%M:%S.%fZ") + "_999999999"
    deep, _ = timed(client, f"{api}&before={cursor}", runs, headers=headers)
    print(f"REST page near the oldest entry, p50          {deep:8.1f} ms")
    own, _ = timed(client, f"{api}&include_people=false", runs, headers=headers)
    print(f"REST first page, company's own only, p50      {own:8.1f} ms")
    show, _ = timed(client, "/companyview/show/1", max(1, runs // 2))
    print(f"HTML show page with timeline (20), p50        {show:8.1f} ms")

    from addons.contacts.services.load_demo import load_demo
    from core.security.actor import SYSTEM, acting_as

    with app.app_context(), acting_as(SYSTEM):
        t = time.perf_counter()
        result = load_demo(db.session)
        db.session.commit()
        print(f"demo data ({result.companies_added} companies, {result.people_added} people, "
              f"{result.entries_added} entries) {time.perf_counter() - t:6.1f} s")
        t = time.perf_counter()
        load_demo(db.session)
        db.session.commit()
        print(f"demo data again (adds nothing)                {time.perf_counter() - t:8.1f} s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=15, help="timed requests per figure "
                                                             "(half as many show pages)")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    if args.postgres:
        from bench.pg_cluster import create_database, pg_cluster

        with pg_cluster() as admin_url:
            run(create_database(admin_url, "timeline"), args.entries, args.runs)
    else:
        run(f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite", args.entries, args.runs)


if __name__ == "__main__":
    main()
