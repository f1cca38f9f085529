"""Confirming an order: K quotations of 3-5 lines each confirmed through the
service (services/orders/order_states.confirm, committed) and K through REST
(`POST /api/v1/salesorder/<pk>/confirm` on a live `crossdock run`), as the
quotations' salesperson, on the bench database (1,000,000 contacts, 200,000
opportunities: bench/sales_seed.py). p50/p95; target p95 < 50 ms.

Baseline in the same run: a plain ORM update of one order row and its commit
(the note), as the same user, through the same session (record rules and the
audit of the flush included): what any write of an order costs.

    .venv/bin/python bench/sales_confirm.py --db sqlite
    .venv/bin/python bench/sales_confirm.py --db postgres
    .venv/bin/python bench/sales_confirm.py --db sqlite --reuse /tmp/h7/sales.sqlite
"""
from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.contacts_list_search import api_login, free_port, load_note, pct, server  # noqa: E402
from bench.pg_cluster import pg_cluster  # noqa: E402
from bench.sales_seed import (  # noqa: E402
    default_cache, postgres_database, seed_sales, sqlite_database,
)

TARGET_MS = 50
PRODUCTS = 20
USER = "sales01"


def _app(url: str, instance: Path):
    from core.app import create_app
    from core.config import Settings

    # hub jobs are written (one ERP backend, see prepare) but not run: no worker threads
    return create_app(Settings.from_env(instance_path=instance, database_url=url,
                                        addon_poll_seconds=3600.0, hub_embedded_threads=0))


def _actor(user):
    from core.security.actor import Actor

    return Actor(user.id, user.username, frozenset(r.name for r in user.roles))


def prepare(app, k: int, seed: int) -> dict:
    """Bench products (once), and 2*k+2 quotations of `USER` with 3-5 lines each
    on companies `USER` owns (2/3 in CNY, 1/3 in USD). Returns their ids."""
    from sqlalchemy import select

    from addons.contacts.models import Company
    from addons.sales.models import Currency, Product, Tax
    from addons.sales.models.sales_order import SalesOrder
    from addons.sales.services.orders.order_lines import new_line
    from core.db import db
    from core.security.actor import SYSTEM, acting_as
    from core.security.teams import user_team_ids

    r = random.Random(seed)
    with app.app_context(), acting_as(SYSTEM):
        s = db.session
        currencies = {c.code: c for c in s.scalars(select(Currency))}
        taxes = {t.name: t for t in s.scalars(select(Tax))}
        products = s.scalars(select(Product).where(Product.code.like("BENCH-%"))
                             .order_by(Product.id)).all()
        for n in range(len(products), PRODUCTS):
            products.append(Product(
                code=f"BENCH-{n + 1:03d}", name=f"压测产品 Bench product {n + 1}", unit="台",
                list_price=Decimal(r.randrange(100, 50_000)) / 4, currency=currencies["CNY"],
                tax=taxes["VAT 13%" if n % 3 else "VAT 6%"], active=True))
            s.add(products[-1])
        from connectors.hub.backends import save_backend
        from connectors.hub.models import Backend
        if s.scalars(select(Backend).where(Backend.name == "bench ERP")).first() is None:
            # so that confirming writes its hub job, as it would in production
            save_backend(s, None, name="bench ERP", kind="tryton", url="http://127.0.0.1:9",
                         database="bench", username="admin", secret="unused")
        user = app.appbuilder.sm.find_user(username=USER)
        team_id = min(user_team_ids(s, user.id))
        companies = s.scalars(select(Company.id).where(Company.owner_id == user.id)
                              .order_by(Company.id).limit(200)).all()
        if not companies:
            raise SystemExit(f"{USER} owns no company: seed more contacts (--count)")
        ids = []
        t = time.perf_counter()
        for n in range(2 * k + 4):
            order = SalesOrder(company_id=r.choice(companies), owner_id=user.id,
                               team_id=team_id,
                               currency=currencies["USD" if n % 3 == 2 else "CNY"],
                               order_date=date.today(), note="bench")
            s.add(order)
            for product in r.sample(products, r.randint(3, 5)):
                new_line(s, order, product, Decimal(r.choice((1, 2, 5, 10, 24))))
            s.flush()
            ids.append(order.id)
        s.commit()
        print(f"{len(ids)} quotations of {USER} created in {time.perf_counter() - t:.1f} s "
              f"(team #{team_id})")
        s.remove()
    return {"ids": ids, "user": USER}


def service_timings(app, ids: list[int], k: int) -> tuple[list[float], list[float]]:
    """confirm() + commit per order, and the baseline (ORM update + commit), as USER.

    Each inside a request context with USER logged in, as a view would run it
    (the record rules cache the user's scope per request; outside one, every
    ORM statement would look the user's teams up again)."""
    from flask_login import login_user

    from addons.sales.models.sales_order import SalesOrder
    from addons.sales.services.orders.order_states import confirm, load_for_update
    from core.db import db

    def as_request(work) -> float:
        with app.test_request_context("/bench", method="POST"):
            login_user(db.session.get(app.appbuilder.sm.user_model, user_id))
            t = time.perf_counter()
            work()
            ms = (time.perf_counter() - t) * 1000
            db.session.remove()
        return ms

    def confirm_one(pk):
        confirm(db.session, load_for_update(db.session, pk))
        db.session.commit()

    def update_one(pk):
        db.session.get(SalesOrder, pk).note = f"bench note {pk}"
        db.session.commit()

    with app.app_context():
        user_id = app.appbuilder.sm.find_user(username=USER).id
        db.session.remove()
        confirm_ms = [as_request(lambda: confirm_one(pk)) for pk in ids[:k + 2]][2:]
        baseline_ms = [as_request(lambda: update_one(pk)) for pk in ids[k + 2:2 * k + 4]][2:]
        confirmed = db.session.query(SalesOrder).filter(
            SalesOrder.id.in_(ids[:k + 2]), SalesOrder.state == "confirmed").count()
        assert confirmed == k + 2, f"only {confirmed} of {k + 2} orders confirmed"
    return confirm_ms, baseline_ms


def rest_timings(url: str, instance: Path, k: int, seed: int) -> dict[str, list[float]]:
    """Create quotations and confirm them over HTTP on a live server, as USER."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        user_id = conn.execute(text("SELECT id FROM ab_user WHERE username = :u"),
                               {"u": USER}).scalar()
        companies = conn.execute(text("SELECT id FROM contacts_company WHERE owner_id = :u "
                                      "ORDER BY id LIMIT 200"), {"u": user_id}).scalars().all()
        products = conn.execute(text("SELECT id FROM sales_product WHERE code LIKE 'BENCH-%' "
                                     "ORDER BY id")).scalars().all()
        cny = conn.execute(text("SELECT id FROM sales_currency WHERE code = 'CNY'")).scalar()
    engine.dispose()
    r = random.Random(seed)
    port = free_port()
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": url,
           "CROSSDOCK_INSTANCE_PATH": str(instance), "CROSSDOCK_ADDON_POLL_SECONDS": "30"}
    base = f"http://127.0.0.1:{port}"
    cmd = [str(ROOT / ".venv" / "bin" / "crossdock"), "run", "--port", str(port)]
    out = {"create quotation (REST)": [], "confirm (REST)": []}
    with server(cmd, env, base, instance / "crossdock-confirm.log"):
        api = api_login(base, USER)
        ids = []
        for n in range(k + 2):
            body = {"company_id": r.choice(companies), "currency_id": cny,
                    "lines": [{"product_id": p, "quantity": str(r.choice((1, 2, 5, 10)))}
                              for p in r.sample(products, r.randint(3, 5))]}
            t = time.perf_counter()
            resp = api.post(base + "/api/v1/salesorder/", json=body)
            ms = (time.perf_counter() - t) * 1000
            if resp.status_code != 201:
                raise SystemExit(f"create answered {resp.status_code}: {resp.text[:300]}")
            ids.append(resp.json()["id"])
            if n >= 2:
                out["create quotation (REST)"].append(ms)
        for n, pk in enumerate(ids):
            t = time.perf_counter()
            resp = api.post(f"{base}/api/v1/salesorder/{pk}/confirm")
            ms = (time.perf_counter() - t) * 1000
            if resp.status_code != 200 or resp.json()["result"]["state"] != "confirmed":
                raise SystemExit(f"confirm answered {resp.status_code}: {resp.text[:300]}")
            if n >= 2:
                out["confirm (REST)"].append(ms)
    return out


def pending_requests(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM hub_job j JOIN sales_order o ON "
                              "o.id = j.record_id WHERE o.state = 'confirmed' AND "
                              "j.kind = 'sales.order.push'")).scalar()
    engine.dispose()
    return n


def run_bench(url: str, k: int, instance: Path, db: str) -> None:
    seed = random.randrange(10**6)
    app = _app(url, instance)
    prepared = prepare(app, k, seed)
    confirm_ms, baseline_ms = service_timings(app, prepared["ids"], k)
    show("confirm (service + commit)", confirm_ms)
    show("baseline: ORM update + commit", baseline_ms)
    rest = rest_timings(url, instance, k, seed)
    for name, values in rest.items():
        show(name, values)
    rows = [("confirm (service + commit)", confirm_ms), *rest.items(),
            ("baseline: ORM update + commit", baseline_ms)]
    print(f"\nconfirmed orders with an ERP job: {pending_requests(url)}")
    print(f"{'operation':<32} {db + ' p50':>11} {'p95':>7}   (ms, n={k} each, "
          f"target confirm p95 < {TARGET_MS} ms)")
    for name, values in rows:
        show(name, values)


def show(name: str, values: list[float]) -> None:
    flag = "  <- over target" if name.startswith("confirm") and pct(values, .95) >= \
        TARGET_MS else ""
    print(f"{name:<32} {statistics.median(values):11.1f} {pct(values, .95):7.1f}{flag}",
          flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--count", type=int, default=1_000_000, help="contacts")
    parser.add_argument("--opportunities", type=int, default=200_000)
    parser.add_argument("--orders", type=int, default=30, help="K: orders confirmed per way")
    parser.add_argument("--reuse", help="an already seeded SQLite file or PostgreSQL URL")
    parser.add_argument("--pg-admin-url", help="a running cluster with the cached contacts")
    parser.add_argument("--keep-cluster", action="store_true")
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="crossdock-bench-"))
    print(f"before: {load_note()}")
    if args.reuse:
        url = args.reuse if "://" in args.reuse else f"sqlite:///{Path(args.reuse).resolve()}"
        run_bench(url, args.orders, instance, args.db)
    elif args.db == "sqlite":
        url = sqlite_database(instance / "sales.sqlite", default_cache(args.count), args.count,
                              instance)
        seed_sales(url, instance, args.opportunities)
        run_bench(url, args.orders, instance, args.db)
    else:
        cluster = (contextlib.nullcontext(args.pg_admin_url) if args.pg_admin_url
                   else pg_cluster(keep=args.keep_cluster))
        with cluster as admin_url:
            url = postgres_database(admin_url, "sales_confirm", args.count, instance)
            seed_sales(url, instance, args.opportunities)
            run_bench(url, args.orders, instance, args.db)
    print(f"after: {load_note()}")


if __name__ == "__main__":
    main()
