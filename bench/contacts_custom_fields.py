"""Custom field figures: list pages and REST lists with custom columns, and
filters on custom values, over N companies with six custom fields each.

Fills a fresh database (SQLite, or a throwaway PostgreSQL cluster), defines a
field of each type (two shown in the list), gives every company a value of
each, then times through the app's test client, as a salesperson owning half
of the companies (record rules on) and as an admin. Not part of the test verdict.

    .venv/bin/python bench/contacts_custom_fields.py [--contacts 100000] [--runs 15] [--postgres]
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

import prison  # noqa: E402
from sqlalchemy import insert  # noqa: E402

BATCH = 20_000
FIELDS = [("segment", "text", True), ("employees", "number", True), ("since", "date", False),
          ("size", "choice", False), ("vip", "boolean", False), ("manager", "user", False)]


def fill(session, n, owners):
    from addons.contacts.models import Company, CustomField, CustomValue

    conn = session.connection()
    conn.execute(insert(CustomField.__table__), [
        {"id": i + 1, "applies_to": "company", "key": key, "label": key.title(),
         "field_type": kind, "choices": "Small\nMedium\nLarge", "required": False,
         "show_in_list": listed, "sequence": i, "active": True}
        for i, (key, kind, listed) in enumerate(FIELDS)])
    for start in range(0, n, BATCH):
        ids = range(start + 1, min(n, start + BATCH) + 1)
        conn.execute(insert(Company.__table__), [
            {"id": i, "name": f"Company {i}", "active": True, "owner_id": owners[i % 2]}
            for i in ids])
        rows = []
        empty = {"value_text": None, "value_number": None, "value_date": None,
                 "value_bool": None, "value_user_id": None}
        for i in ids:
            rows += [
                {"field_id": 1, "company_id": i, "value_text": f"Segment {i % 20}"},
                {"field_id": 2, "company_id": i, "value_number": i % 1000},
                {"field_id": 3, "company_id": i,
                 "value_date": dt.date(2020, 1, 1) + dt.timedelta(days=i % 2000)},
                {"field_id": 4, "company_id": i, "value_text": ("Small", "Medium", "Large")[i % 3]},
                {"field_id": 5, "company_id": i, "value_bool": i % 7 == 0},
                {"field_id": 6, "company_id": i, "value_user_id": owners[i % 2]},
            ]
        # executemany needs the same keys in every row
        conn.execute(insert(CustomValue.__table__), [{**empty, **row} for row in rows])
    session.commit()


def timed(client, url, runs=15, **kwargs):
    ms = []
    for i in range(runs + 2):
        t = time.perf_counter()
        resp = client.get(url, **kwargs)
        if resp.status_code != 200:
            raise SystemExit(f"{resp.status_code} on {url}")
        if i >= 2:
            ms.append((time.perf_counter() - t) * 1000)
    return statistics.median(ms)


def run(url, n, runs=15):
    from core.app import create_app
    from core.db import db
    from tests.conftest import test_settings
    from tests.helpers import add_user, api_token, install, login

    app = create_app(test_settings(Path(tempfile.mkdtemp()) / "instance", url))
    install(app, "contacts")
    owners = [add_user(app, "sam", ["Salesperson"]), add_user(app, "ada", ["Admin"])]
    with app.app_context():
        t = time.perf_counter()
        fill(db.session, n, owners)
        print(f"fill {n} companies x {len(FIELDS)} custom values      "
              f"{time.perf_counter() - t:8.1f} s")
    filters = {
        "text contains": ("custom_segment", "custom_ct", "ment 7", 0),
        "number greater": ("custom_employees", "custom_gt", "990", 1),
        "boolean yes": ("custom_vip", "custom_eq", "yes", 0),
    }
    for user in ("sam", "ada"):
        client = app.test_client()
        login(client, user)
        headers = {"Authorization": f"Bearer {api_token(client, user)}"}
        print(f"-- as {user}")
        print(f"HTML list, first page (2 custom columns), p50   "
              f"{timed(client, '/companyview/list/', runs):8.1f} ms")
        print(f"REST list, first page (custom object), p50      "
              f"{timed(client, '/api/v1/company/', runs, headers=headers):8.1f} ms")
        for label, (col, opr, value, index) in filters.items():
            html = timed(client, f"/companyview/list/?_flt_{index}_{col}={value}", runs)
            q = prison.dumps({"filters": [{"col": col, "opr": opr, "value": value}]})
            rest = timed(client, f"/api/v1/company/?q={q}", runs, headers=headers)
            print(f"filter {label:15} HTML / REST, p50     {html:8.1f} / {rest:.1f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15, help="timed requests per figure")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    if args.postgres:
        from bench.pg_cluster import create_database, pg_cluster

        with pg_cluster() as admin_url:
            run(create_database(admin_url, "custom_fields"), args.contacts, args.runs)
    else:
        run(f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite", args.contacts, args.runs)


if __name__ == "__main__":
    main()
