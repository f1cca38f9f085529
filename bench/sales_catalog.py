"""The sales catalog with many products: the product picker's matches as one
types, the price list item add page (must not render every product), and the
pricing quote (customer list with quantity breaks, converted), in-process
through the Flask test client as a Sales Manager. p50/p95 in ms.

    .venv/bin/python bench/sales_catalog.py --db sqlite [--products 100000]
    .venv/bin/python bench/sales_catalog.py --db postgres
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402

from bench.pg_cluster import create_database, pg_cluster  # noqa: E402
from core.app import create_app  # noqa: E402
from core.config import Settings  # noqa: E402
from core.db import db  # noqa: E402
from tests.helpers import add_user, api_token, install, login  # noqa: E402

QUERIES = ["bolt", "BOLT-0001", "m8", "不锈钢", "steel", "x"]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def timed(fn, n):
    out = []
    for i in range(n):
        start = time.perf_counter()
        resp = fn(i)
        out.append((time.perf_counter() - start) * 1000)
        assert resp.status_code == 200, (resp.status_code, resp.get_data(as_text=True)[:300])
    return out


def seed(app, products: int):
    from addons.contacts.models import Company
    from addons.sales.models import (Currency, CurrencyRate, PriceList, PriceListItem,
                                     Product)

    with app.app_context():
        cny = db.session.scalar(select(Currency.id).filter_by(code="CNY"))
        usd = db.session.scalar(select(Currency.id).filter_by(code="USD"))
        db.session.execute(insert(CurrencyRate.__table__), [
            {"currency_id": usd, "effective_date": dt.date(2026, 1, 1), "rate": Decimal("0.14")}])
        kinds = ["Bolt M8", "Nut M8", "不锈钢螺丝", "Steel plate", "Washer"]
        rows = [{"code": f"{kinds[i % 5].split()[0].upper()}-{i:06d}",
                 "name": f"{kinds[i % 5]} #{i}", "unit": "Unit",
                 "list_price": Decimal(i % 997) + Decimal("0.25"), "currency_id": cny,
                 "active": i % 50 != 0} for i in range(products)]
        for start in range(0, len(rows), 10000):
            db.session.execute(insert(Product.__table__), rows[start:start + 10000])
        owner = db.session.scalar(text("SELECT id FROM ab_user WHERE username = 'mia'"))
        company = Company(name="Acme", owner_id=owner)
        db.session.add(company)
        db.session.flush()
        pl = PriceList(name="Acme", currency_id=cny, company_id=company.id)
        db.session.add(pl)
        db.session.flush()
        ids = db.session.scalars(select(Product.id).order_by(Product.id)
                                 .limit(products // 10)).all()
        db.session.execute(insert(PriceListItem.__table__), [
            {"price_list_id": pl.id, "product_id": pid, "min_quantity": Decimal(q),
             "unit_price": Decimal("10") - Decimal(q) / 100}
            for pid in ids for q in (0, 10, 100)])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        return company.id, ids[len(ids) // 2 + 1], pl.id  # i % 50 != 0: active


def run(url: str, products: int, requests: int, instance: Path):
    app = create_app(Settings.from_env(instance_path=instance, database_url=url,
                                       secret_key="bench-secret-" + "x" * 32,
                                       addon_poll_seconds=0.0))
    app.config["TESTING"] = True
    install(app, "sales")
    add_user(app, "mia", ["Sales Manager"], "A")
    start = time.perf_counter()
    company_id, product_id, list_id = seed(app, products)
    print(f"  seeded {products:,} products, {products // 10 * 3:,} price list items "
          f"in {time.perf_counter() - start:.1f} s")
    client = app.test_client()
    login(client, "mia")
    headers = {"Authorization": f"Bearer {api_token(client, 'mia')}"}
    cases = {
        "picker matches": lambda i: client.get("/pricelistitemview/product_choices",
                                               query_string={"q": QUERIES[i % len(QUERIES)]}),
        "item add page": lambda i: client.get(f"/pricelistitemview/add?_flt_0_price_list="
                                              f"{list_id}"),
        "product list page": lambda i: client.get("/productview/list/"),
        "quote (list, break, USD)": lambda i: client.get(
            "/api/v1/pricing/quote", headers=headers,
            query_string={"product_id": product_id, "quantity": str(i % 150),
                          "currency": "USD", "company_id": company_id, "day": "2026-03-01"}),
    }
    size = len(client.get(f"/pricelistitemview/add?_flt_0_price_list={list_id}").data)
    for name, fn in cases.items():
        fn(0)  # warm
        ms = timed(fn, requests)
        print(f"  {name:<26} p50 {statistics.median(ms):7.1f} ms   p95 {pct(ms, 95):7.1f} ms")
    print(f"  item add page size: {size:,} bytes")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--products", type=int, default=100000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        print(f"{args.db}: ", flush=True)
        if args.db == "sqlite":
            run(f"sqlite:///{tmp}/bench.sqlite", args.products, args.requests, instance)
        else:
            with contextlib.ExitStack() as stack:
                admin = stack.enter_context(pg_cluster())
                run(create_database(admin, "sales_catalog"), args.products, args.requests,
                    instance)


if __name__ == "__main__":
    main()
