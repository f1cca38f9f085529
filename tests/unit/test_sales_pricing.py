"""Pricing: customer list, then tier list, then list price; quantity breaks;
conversion into the order currency kept to 4 decimals; missing rates and
archived products refused. On an in-memory SQLite database holding only the
tables pricing reads (contacts rows are inserted with Core, as they are not
what is tested here)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from flask_appbuilder import Model
from sqlalchemy import create_engine, insert
from sqlalchemy.orm import Session

import core.models  # noqa: F401  (the audit table every flush writes to)
from addons.contacts.models import Company, Person, Tier
from addons.sales.models import Currency, CurrencyRate, PriceList, PriceListItem, Product
from addons.sales.services.catalog.currency_rates import MissingRate
from addons.sales.rules.line_amounts import line_amounts
from addons.sales.services.catalog.pricing import (CUSTOMER_LIST, LIST_PRICE, TIER_LIST,
                                           ArchivedProduct, PricingError, unit_price)

TABLES = ["crossdock_audit_log", "contacts_tier", "contacts_company", "contacts_person",
          "sales_currency", "sales_currency_rate", "sales_tax", "sales_product",
          "sales_price_list", "sales_price_list_item"]
DAY = dt.date(2026, 3, 1)


@pytest.fixture
def db():
    engine = create_engine("sqlite://")
    Model.metadata.create_all(engine, tables=[Model.metadata.tables[t] for t in TABLES])
    with Session(engine) as session:
        cny = Currency(code="CNY", name="Yuan", decimal_places=2, is_base=True)
        usd = Currency(code="USD", name="Dollar", decimal_places=2)
        jpy = Currency(code="JPY", name="Yen", decimal_places=0)
        session.add_all([cny, usd, jpy])
        session.flush()
        # 1 CNY buys 0.1400 USD (from Jan 1st), then 0.1500 (from Mar 1st)
        session.add_all([CurrencyRate(currency=usd, effective_date=dt.date(2026, 1, 1),
                                      rate=D("0.14")),
                         CurrencyRate(currency=usd, effective_date=dt.date(2026, 3, 1),
                                      rate=D("0.15"))])
        session.execute(insert(Tier.__table__), [{"id": 1, "name": "Gold", "sequence": 1},
                                                 {"id": 2, "name": "Silver", "sequence": 2}])
        session.execute(insert(Company.__table__), [
            {"id": 1, "name": "Acme", "tier_id": 1, "active": True},
            {"id": 2, "name": "Bolt", "tier_id": 1, "active": True},
            {"id": 3, "name": "Cogs", "tier_id": None, "active": True}])
        session.execute(insert(Person.__table__), [
            {"id": 1, "name": "李雷", "company_id": 1, "tier_id": None, "active": True},
            {"id": 2, "name": "Solo", "company_id": None, "tier_id": 2, "active": True}])
        widget = Product(code="W1", name="Widget", unit="Unit", list_price=D("100"),
                         currency=cny)
        session.add(widget)
        session.flush()
        session.widget, session.cny, session.usd, session.jpy = widget, cny, usd, jpy
        yield session


def price_list(session, name, currency, *items, company_id=None, tier_id=None, active=True):
    pl = PriceList(name=name, currency=currency, company_id=company_id, tier_id=tier_id,
                   active=active,
                   items=[PriceListItem(product=session.widget, min_quantity=D(q),
                                        unit_price=D(p)) for q, p in items])
    session.add(pl)
    session.flush()
    return pl


def quote(session, quantity="1", currency=None, company=None, person=None, day=DAY):
    return unit_price(session, session.widget, D(quantity), currency or session.cny, day,
                      company=session.get(Company, company) if company else None,
                      person=session.get(Person, person) if person else None)


def test_list_price_without_lists(db):
    q = quote(db, company=3)
    assert (q.unit_price, q.rule, q.price_list, q.min_quantity) == (D("100.0000"), LIST_PRICE,
                                                                    None, None)
    assert q.describe() == "list price"


def test_customer_list_beats_tier_list_beats_list_price(db):
    tier = price_list(db, "Gold", db.cny, ("0", "90"), tier_id=1)
    own = price_list(db, "Acme", db.cny, ("0", "80"), company_id=1)
    q = quote(db, company=1)
    assert (q.unit_price, q.rule, q.price_list.id) == (D("80.0000"), CUSTOMER_LIST, own.id)
    q = quote(db, company=2)  # same tier, no list of its own
    assert (q.unit_price, q.rule, q.price_list.id) == (D("90.0000"), TIER_LIST, tier.id)
    assert quote(db, company=3).rule == LIST_PRICE  # no tier
    assert quote(db).rule == LIST_PRICE  # no customer at all


def test_a_persons_company_counts_and_a_person_alone_uses_their_tier(db):
    price_list(db, "Acme", db.cny, ("0", "80"), company_id=1)
    price_list(db, "Silver", db.cny, ("0", "95"), tier_id=2)
    assert quote(db, person=1).unit_price == D("80")
    q = quote(db, person=2)
    assert (q.unit_price, q.rule) == (D("95"), TIER_LIST)


def test_quantity_breaks_pick_the_largest_minimum_reached(db):
    pl = price_list(db, "Acme", db.cny, ("0", "80"), ("10", "75"), ("100.5", "70"),
                    company_id=1)
    assert quote(db, "9.9999", company=1).unit_price == D("80")
    q = quote(db, "10", company=1)
    assert (q.unit_price, q.min_quantity) == (D("75"), D("10"))
    assert q.describe() == "price list Acme (from 10)"
    assert quote(db, "100.4999", company=1).unit_price == D("75")
    assert quote(db, "100.5", company=1).unit_price == D("70")
    assert quote(db, "0", company=1).item.price_list_id == pl.id


def test_a_list_without_a_reached_break_falls_through_to_the_next_level(db):
    price_list(db, "Acme bulk", db.cny, ("50", "60"), company_id=1)
    price_list(db, "Gold", db.cny, ("0", "90"), tier_id=1)
    assert (quote(db, "10", company=1).rule, quote(db, "10", company=1).unit_price) == (
        TIER_LIST, D("90"))
    assert quote(db, "50", company=1).unit_price == D("60")


def test_archived_lists_are_never_used(db):
    price_list(db, "Acme old", db.cny, ("0", "1"), company_id=1, active=False)
    price_list(db, "Gold old", db.cny, ("0", "2"), tier_id=1, active=False)
    assert quote(db, company=1).rule == LIST_PRICE


def test_a_list_in_the_order_currency_is_preferred_on_one_level(db):
    price_list(db, "Acme CNY", db.cny, ("0", "80"), company_id=1)
    usd = price_list(db, "Acme USD", db.usd, ("0", "11"), company_id=1)
    q = quote(db, currency=db.usd, company=1)
    assert (q.price_list.id, q.unit_price) == (usd.id, D("11.0000"))
    assert quote(db, currency=db.cny, company=1).price_list.name == "Acme CNY"


def test_conversion_keeps_four_decimals_and_uses_the_rate_of_the_day(db):
    db.widget.list_price = D("0.0993")  # CNY
    # 0.0993 CNY x 0.15 = 0.014895 USD -> 0.0149 (not 0.01)
    q = quote(db, "10000", currency=db.usd)
    assert q.unit_price == D("0.0149")
    assert q.describe() == "list price, converted from 0.0993 CNY"
    # the rate before March
    assert quote(db, currency=db.usd, day=dt.date(2026, 2, 28)).unit_price == D("0.0139")
    # the line multiplies the 4-decimal price, then rounds to cents
    amounts = line_amounts(q.unit_price, D("10000"), D("0"), D("0"), False, 2)
    assert amounts.untaxed == D("149.00")  # 0.01 x 10000 would have said 100.00


def test_conversion_from_a_list_in_another_currency(db):
    price_list(db, "Acme USD", db.usd, ("0", "15"), company_id=1)
    q = quote(db, company=1)  # in CNY: 15 / 0.15 = 100
    assert (q.unit_price, q.source_price, q.source_currency.code) == (D("100.0000"), D("15"),
                                                                     "USD")
    assert q.as_dict()["unit_price"] == "100.0000" and q.as_dict()["source_currency"] == "USD"


def test_a_missing_rate_names_the_currency_and_day(db):
    with pytest.raises(MissingRate,
                       match="no exchange rate for JPY on or before 2026-03-01") as exc:
        quote(db, currency=db.jpy)
    assert (exc.value.currency_code, exc.value.day) == ("JPY", DAY)
    with pytest.raises(MissingRate, match="USD on or before 2025-12-31"):
        quote(db, currency=db.usd, day=dt.date(2025, 12, 31))  # before its first rate


def test_same_currency_needs_no_rate(db):
    price_list(db, "Acme JPY", db.jpy, ("0", "1500"), company_id=1)
    assert quote(db, currency=db.jpy, company=1).unit_price == D("1500")


def test_archived_product_is_refused(db):
    db.widget.active = False
    with pytest.raises(ArchivedProduct, match=r"product \[W1\] Widget is archived"):
        quote(db)


def test_bad_quantities_are_refused(db):
    with pytest.raises(PricingError, match="negative"):
        quote(db, "-1")
    with pytest.raises(TypeError, match="quantity must be a Decimal"):
        unit_price(db, db.widget, 1.5, db.cny, DAY)
