"""A shop whose confirmed orders go to a real Tryton, and the check that they
arrived: each exactly once, with our lines and totals to the cent.
Used by the tests that break the hub's processes on the way
(test_hub_reliability.py, test_production_cluster.py).
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from core.db import db
from tests.helpers import add_user, install

PRODUCTS = {"TEST-A": Decimal("10.00"), "TEST-B": Decimal("25.50"), "TEST-C": Decimal("7.25")}


def setup_shop(app, erp_url: str, tryton, customers: int) -> None:
    """Sales installed, an Admin "ops", the TEST products (and one Tryton does not
    know), `customers` companies, and the Tryton backend at `erp_url`."""
    install(app, "sales")
    add_user(app, "ops", ["Admin"])
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Currency, Product, Tax
        from connectors.hub.backends import save_backend

        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        tax = db.session.scalars(select(Tax).filter_by(name="VAT 13%")).one()
        for code, price in {**PRODUCTS, "NOT-IN-TRYTON": Decimal("1")}.items():
            db.session.add(Product(code=code, name=code, list_price=price, currency=cny,
                                   tax=tax, active=True))
        for n in range(customers):
            db.session.add(Company(name=f"客户 Customer {n:03d}", city="上海",
                                   country_code="CN"))
        save_backend(db.session, None, name="Tryton", kind="tryton", url=erp_url,
                     database=tryton.database, username=tryton.username,
                     secret=tryton.password)
        db.session.commit()


def order_lines(n: int) -> dict[str, Decimal]:
    """The n-th test order's lines: product code -> quantity."""
    lines = {"TEST-A": Decimal(1 + n % 5), "TEST-B": Decimal(2)}
    if n % 3 == 0:
        lines["TEST-C"] = Decimal(10)
    return lines


def tryton_sales(tryton, numbers) -> dict[str, list[dict]]:
    """Tryton's sales carrying our references, with their lines, read through RPC."""
    sales = tryton.search_read("sale.sale", [("reference", "in", list(numbers))],
                               ["reference", "state", "untaxed_amount"])
    lines = tryton.search_read("sale.line", [("sale", "in", [s["id"] for s in sales])],
                               ["sale", "product.code", "quantity"])
    by_sale: dict[int, dict] = {}
    for line in lines:
        by_sale.setdefault(line["sale"], {})[line["product."]["code"]] = Decimal(
            str(line["quantity"]))
    found: dict[str, list[dict]] = {}
    for sale in sales:
        found.setdefault(sale["reference"], []).append(
            {**sale, "lines": by_sale.get(sale["id"], {})})
    return found


def assert_exactly_once(tryton, expected: dict[str, dict]) -> None:
    """`expected`: {our order number: {"lines": {code: quantity}, "untaxed": Decimal}}."""
    found = tryton_sales(tryton, expected)
    twice = {ref: len(s) for ref, s in found.items() if len(s) != 1}
    missing = sorted(set(expected) - set(found))
    assert not twice and not missing, f"twice: {twice}, missing: {missing[:20]}"
    for ref, want in expected.items():
        [sale] = found[ref]
        assert sale["state"] in ("confirmed", "processing"), (ref, sale["state"])
        assert sale["lines"] == want["lines"], (ref, sale["lines"], want["lines"])
        assert Decimal(sale["untaxed_amount"]) == want["untaxed"], ref
