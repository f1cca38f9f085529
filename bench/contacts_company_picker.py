"""The person form's company picker on 400,000 companies (1,000,000 contacts,
bench/contacts_seed.py): the add page, the picker's matches as one types, and
a create that names a company by id, as a salesperson and as an admin.
p50/p95 in ms over --requests each.

    .venv/bin/python bench/contacts_company_picker.py --db sqlite [--count 1000000]
    .venv/bin/python bench/contacts_company_picker.py --db sqlite --reuse /tmp/x.sqlite
    .venv/bin/python bench/contacts_company_picker.py --db postgres
"""
from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.contacts_list_search import (  # noqa: E402
    form_errors, free_port, html_login, load_note, pct, sales01_id, server, timed)
from bench.contacts_seed import seed  # noqa: E402
from bench.pg_cluster import create_database, pg_cluster  # noqa: E402

FRAGMENTS = ["科技", "贸易有限", "tech", "trading", "gmbh", "138 0013", "深圳"]


def cases(base: str, user: str, counter) -> dict:
    s, token = html_login(base, user)
    picker = base + "/personview/company_choices"

    def pick(s, i):
        return s.get(picker, params={"q": FRAGMENTS[i % len(FRAGMENTS)]})

    company_ids = [c["id"] for q in FRAGMENTS for c in s.get(picker, params={"q": q}).json()
                   ["results"]]
    if not company_ids:
        raise SystemExit(f"the picker found no company for {user}: nothing to create with")

    def create(s, i):
        n = next(counter)
        resp = s.post(base + "/personview/add", allow_redirects=False, data={
            "name": f"Picker 客户 {n}", "job_title": "",
            "company": str(company_ids[i % len(company_ids)]),
            "phone_lines": "", "email_lines": f"picker{n}@example.com", "website": "",
            "street": "", "city": "", "province": "", "postal_code": "", "country_code": "",
            "industry": "", "source": "", "tier": "__None", "owner": "__None",
            "team": "__None", "active": "y", "notes": "", "csrf_token": token})
        if resp.status_code != 302:
            raise SystemExit(f"create answered {resp.status_code}: not saved"
                             f"{form_errors(resp.text)}")
        return resp

    return {"add page (GET)": (s, lambda s, i: s.get(base + "/personview/add")),
            "picker matches": (s, pick),
            "create with company": (s, create)}


def run_bench(url: str, requests_n: int, instance: Path) -> None:
    port = free_port()
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": url,
           "CROSSDOCK_INSTANCE_PATH": str(instance), "CROSSDOCK_ADDON_POLL_SECONDS": "30"}
    base = f"http://127.0.0.1:{port}"
    cmd = [str(ROOT / ".venv" / "bin" / "crossdock"), "run", "--port", str(port)]
    counter = itertools.count(random.randrange(10**7, 9 * 10**7))
    print(f"{'user':<11} {'operation':<22} {'p50':>7} {'p95':>7}   (ms, n={requests_n} each)")
    with server(cmd, env, base, instance / "crossdock.log"):
        for who, user in (("salesperson", "sales01"), ("admin", "bench_admin")):
            for name, (session, make) in cases(base, user, counter).items():
                ms = timed(session, requests_n, make)
                print(f"{who:<11} {name:<22} {statistics.median(ms):7.1f} {pct(ms, .95):7.1f}",
                      flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--reuse", help="an already seeded SQLite file or PostgreSQL URL")
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="crossdock-bench-"))
    print(f"before: {load_note()}")
    if args.reuse:
        url = (f"sqlite:///{Path(args.reuse).resolve()}" if args.db == "sqlite"
               else args.reuse)
        sales01_id(url)
        run_bench(url, args.requests, instance)
    elif args.db == "sqlite":
        url = f"sqlite:///{instance / 'crossdock.sqlite'}"
        seed(url, args.count, 50, instance)
        run_bench(url, args.requests, instance)
    else:
        with pg_cluster() as admin_url:
            url = create_database(admin_url, "bench")
            seed(url, args.count, 50, instance)
            run_bench(url, args.requests, instance)
    print(f"after: {load_note()}")


if __name__ == "__main__":
    main()
