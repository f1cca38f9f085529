"""Build a SQLite Tryton 8.2 database ready to take sale orders from Crossdock.

Run with the Tryton virtualenv (`.ci/setup --test` makes it), not ours:

    .venv-tryton/bin/python tests/erp/tryton_db.py --path DIR --name shop --password SECRET

It writes DIR/<name>.sqlite and DIR/trytond.conf, and sets up what a sale
needs before it can be quoted, confirmed and processed (the same steps as
Tryton's own `sale/tests/scenario_sale.rst`, through its test tools in
`trytond.modules.*.tests.tools` and proteus on trytond in-process):

- modules: `sale` and its dependencies (trytond-admin -u sale);
- user `admin` with the given password (RPC login);
- currencies CNY (company currency, rate 1), USD and EUR with rates;
- a company "Crossdock Demo Trading" in CNY, the minimal account chart
  (`account.account_template_root_en`), fiscal years for this year and the next
  with invoice sequences and periods;
- a "Direct" payment term (the default customer payment term), a product
  category with revenue/expense accounts, a few countries;
- sales taxes named like Crossdock's defaults (VAT 13%, 9%, 6%, 0%: Tryton
  percentage taxes on the chart's tax account; Tryton 8.2 has no
  price-included taxes, so Crossdock sends untaxed prices for those) and
  tax rounding "per line", as Crossdock rounds;
- salable products (unit "Unit") whose codes are those of the sales demo
  (addons/sales/data/demo_sales.py) plus TEST-A, TEST-B, TEST-C for tests,
  in two accounting categories whose customer taxes are VAT 13% (goods) and
  VAT 6% (services), as a Tryton user would set them.
  The warehouse is stock's default ("WH").
- for invoices (`account_invoice`, a dependency of `sale`, with its own
  payment terms such as "Net 30 days"): a payment method "Cash" on the
  chart's cash journal and account, so a test can pay an invoice with the
  `account.invoice.pay` wizard (as account_invoice's scenario_invoice.rst).

Takes ~40 s, so the test fixture builds it once into a cache and copies it.
"""
from __future__ import annotations

import argparse
import datetime
import os
import sqlite3
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

COMPANY_NAME = "Crossdock Demo Trading"
# rate = units of the currency for one CNY (Tryton's rates are relative to
# whichever currency has rate 1, here the company's)
CURRENCIES = (
    ("CNY", "Chinese Yuan Renminbi", "¥", Decimal("1")),
    ("USD", "US Dollar", "$", Decimal("0.138")),
    ("EUR", "Euro", "€", Decimal("0.128")),
)
COUNTRIES = (("CN", "China"), ("US", "United States"), ("DE", "Germany"),
             ("FR", "France"), ("GB", "United Kingdom"))
# name, rate: Crossdock's default taxes (addons/sales/services/seeding/default_data.py)
TAXES = (("VAT 13%", Decimal("0.13")), ("VAT 9%", Decimal("0.09")),
         ("VAT 6%", Decimal("0.06")), ("VAT 0%", Decimal("0")))
# code, name, type, list price (CNY): the sales demo catalogue's codes
PRODUCTS = (
    ("CD-HS100", "Handheld barcode scanner", "goods", "1280.00"),
    ("CD-LP200", "Industrial label printer", "goods", "6800.00"),
    ("CD-TAB8", "Rugged tablet", "goods", "4580.00"),
    ("CD-RFID1K", "RFID tags (1,000)", "goods", "950.00"),
    ("CD-GW10", "IoT gateway", "goods", "2200.00"),
    ("CD-TS30", "Cold-chain sensor", "goods", "320.00"),
    ("CD-WMS-U", "WMS licence (user-year)", "service", "3600.00"),
    ("CD-IMPL", "Implementation (person-day)", "service", "2500.00"),
    ("CD-TRAIN", "On-site training (day)", "service", "4000.00"),
    ("CD-SUP", "Annual support contract", "service", "12000.00"),
    ("TEST-A", "Test product A", "goods", "10.00"),
    ("TEST-B", "Test product B", "goods", "25.50"),
    ("TEST-C", "Test service C", "service", "100.00"),
)


def write_config(path: Path) -> Path:
    conf = path / "trytond.conf"
    conf.write_text(f"[database]\nuri = sqlite://\npath = {path}\n")
    return conf


def create_database(path: Path, name: str, password: str, conf: Path) -> None:
    """trytond-admin refuses a missing SQLite file: create it empty, then let
    it initialise the schema, activate `sale` and set admin's password."""
    sqlite3.connect(path / f"{name}.sqlite").close()
    with tempfile.NamedTemporaryFile("w", suffix=".pass") as passfile:
        passfile.write(password + "\n")
        passfile.flush()
        subprocess.run(
            [str(Path(sys.executable).with_name("trytond-admin")), "-c", str(conf),
             "-d", name, "-u", "sale", "--activate-dependencies",
             "--email", "admin@example.com"],
            env={**os.environ, "TRYTONPASSFILE": passfile.name}, check=True)


def populate(name: str, conf: Path) -> None:
    from proteus import Model, config
    from trytond.modules.account.tests.tools import (
        create_chart, create_fiscalyear, create_tax, get_accounts)
    from trytond.modules.account_invoice.tests.tools import (
        create_payment_term, set_fiscalyear_invoice_sequences)
    from trytond.modules.company.tests.tools import create_company

    config.set_trytond(database=name, user="admin", config_file=str(conf))

    Currency = Model.get("currency.currency")
    Rate = Model.get("currency.currency.rate")
    currencies = {}
    for code, label, symbol, rate in CURRENCIES:
        currency = Currency(name=label, code=code, symbol=symbol, rounding=Decimal("0.01"))
        currency.save()
        Rate(date=datetime.date(2000, 1, 1), rate=rate, currency=currency).save()
        currencies[code] = currency

    Country = Model.get("country.country")
    for code, label in COUNTRIES:
        Country(name=label, code=code).save()

    Party = Model.get("party.party")
    company_party = Party(name=COMPANY_NAME)
    company_party.save()
    create_company(party=company_party, currency=currencies["CNY"])
    create_chart()

    this_year = datetime.date.today().year
    for year in (this_year, this_year + 1):
        fiscalyear = set_fiscalyear_invoice_sequences(create_fiscalyear(
            today=(datetime.date(year, 1, 1), datetime.date(year, 12, 31))))
        fiscalyear.save()
        fiscalyear.click("create_period")

    payment_term = create_payment_term()
    payment_term.save()
    AccountConfig = Model.get("account.configuration")
    account_config = AccountConfig(1)
    account_config.default_customer_payment_term = payment_term
    account_config.tax_rounding = "line"  # Crossdock rounds each line's tax
    account_config.save()

    taxes = {}
    for name, rate in TAXES:
        tax = create_tax(rate)
        tax.name = tax.description = name
        tax.save()
        taxes[name] = tax

    accounts = get_accounts()
    journal_cash, = Model.get("account.journal").find([("type", "=", "cash")])
    Model.get("account.invoice.payment.method")(
        name="Cash", journal=journal_cash, credit_account=accounts["cash"],
        debit_account=accounts["cash"]).save()
    Category = Model.get("product.category")
    Tax = Model.get("account.tax")
    categories = {}
    for kind, label, tax in (("goods", "Crossdock goods", "VAT 13%"),
                             ("service", "Crossdock services", "VAT 6%")):
        category = Category(name=label, accounting=True,
                            account_revenue=accounts["revenue"],
                            account_expense=accounts["expense"])
        category.customer_taxes.append(Tax(taxes[tax].id))
        category.save()
        categories[kind] = category

    unit, = Model.get("product.uom").find([("name", "=", "Unit")])
    Template = Model.get("product.template")
    for code, label, kind, price in PRODUCTS:
        template = Template(name=label, code=code, type=kind, default_uom=unit,
                            salable=True, list_price=Decimal(price),
                            account_category=categories[kind])
        template.save()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", required=True, type=Path,
                        help="directory for <name>.sqlite and trytond.conf")
    parser.add_argument("--name", default="shop", help="database name (default: shop)")
    parser.add_argument("--password", required=True, help="password of the user admin")
    args = parser.parse_args(argv)
    path = args.path.resolve()
    path.mkdir(parents=True, exist_ok=True)
    if (path / f"{args.name}.sqlite").exists():
        parser.error(f"{path / (args.name + '.sqlite')} exists already")
    conf = write_config(path)
    create_database(path, args.name, args.password, conf)
    populate(args.name, conf)
    print(f"Tryton database {args.name!r} ready in {path} "
          f"(start: trytond -c {conf} -d {args.name})")


if __name__ == "__main__":
    main()
