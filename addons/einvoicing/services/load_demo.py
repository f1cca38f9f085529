"""`crossdock einvoicing demo`: an invoice for each e-invoice channel, on top
of the sales demo (loaded first when its products are missing).

A seller (when none is kept), four customers (a German one on Peppol UBL, a
German one on Factur-X, an Italian one on SdI, a Chinese one on the digital
fapiao), the fapiao tax codes of the demo products, and one confirmed order
per customer, invoiced and issued: each invoice's e-invoice is queued to the
channel's backend as any issued invoice's is (Integration > Backends; without
one it waits as "not sent"). Run it again once the Chinese fapiao is issued:
the customer returns one sensor, and the credit note goes out as a
red-letter fapiao. Idempotent by the customers' `source`; one transaction as
the system actor.
"""
from __future__ import annotations

from decimal import Decimal

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from addons.contacts.models import Company
from addons.contacts.services.contact_channels import parse_emails, replace_channels
from addons.invoicing_link.models.invoice import CREDIT_NOTE, ISSUED, Invoice
from addons.invoicing_link.services.invoices import credit_note, draft_from_order, issue_invoice
from addons.sales.data import demo_sales
from addons.sales.models import Currency, Product, SalesOrder, Tax
from addons.sales.services.orders import order_states
from addons.sales.services.orders.order_lines import new_line
from addons.sales.services.seeding.load_demo import load_demo as load_sales_demo
from core.addons.demo_load import load_or_exit
from core.security.audit import record_event

from ..data import demo_einvoicing as data
from ..models import EinvoiceSeller, EinvoiceSubmission
from .sending import states

EUR_PRICES = {p[0]: Decimal(p[6]) for p in demo_sales.PRODUCTS}


def load_demo(session: Session) -> list[str]:
    """What it did, line by line; flushes, the caller commits."""
    said = []
    if session.scalar(select(Product.id).where(Product.code == "CD-HS100")) is None:
        load_sales_demo(session)
        said.append("sales demo loaded first")
    if session.scalar(select(EinvoiceSeller.id)) is None:
        session.add(EinvoiceSeller(**data.SELLER))
        said.append(f"seller: {data.SELLER['name']}")
    for product in session.scalars(select(Product).where(
            Product.code.in_(list(data.FAPIAO_TAX_CODES)))):
        product.fapiao_tax_code = product.fapiao_tax_code or data.FAPIAO_TAX_CODES[product.code]
    for key, fields, tax, currency, lines in data.CUSTOMERS:
        company = session.scalars(select(Company).where(
            Company.source == data.SOURCE + key)).first()
        if company is None:
            company = _customer(session, key, fields)
            invoice = _invoiced_order(session, company, _tax(session, *tax), currency, lines)
            said.append(f"{company.name}: {invoice.number} ({invoice.amount_total:.2f} "
                        f"{currency}), e-invoice {_state(session, invoice)}")
    said += _red_letter(session)
    record_event(session, "demo_data_loaded", "einvoicing", details={"said": said})
    return said


def invoice_again(session: Session, key: str) -> Invoice:
    """Another order of demo customer `key` (loaded before), invoiced and
    issued like its first: a load of e-invoices on one channel."""
    company = session.scalars(select(Company).where(Company.source == data.SOURCE + key)).one()
    _key, _fields, tax, currency, lines = next(c for c in data.CUSTOMERS if c[0] == key)
    return _invoiced_order(session, company, _tax(session, *tax), currency, lines)


def _customer(session: Session, key: str, fields: dict) -> Company:
    owner = session.scalars(select(Company).where(Company.source.like("demo:%"),
                                                  Company.owner_id.is_not(None))).first()
    company = Company(**{k: v for k, v in fields.items() if k not in ("tax_id", "email")},
                      source=data.SOURCE + key, active=True,
                      owner_id=owner.owner_id if owner else None,
                      team_id=owner.team_id if owner else None)
    company.tax_id = fields["tax_id"]  # the model checks and normalises it
    if fields.get("email"):
        replace_channels(company, [], parse_emails(f"billing: {fields['email']}"))
    session.add(company)
    session.flush()
    return company


def _tax(session: Session, name: str, rate: str) -> Tax:
    tax = session.scalars(select(Tax).where(Tax.name == name)).first()
    if tax is None:
        tax = Tax(name=name, rate=Decimal(rate), price_include=False, active=True)
        session.add(tax)
    return tax


def _invoiced_order(session: Session, company: Company, tax: Tax, currency: str,
                    lines) -> Invoice:
    currency_row = session.scalars(select(Currency).where(Currency.code == currency)).one()
    order = SalesOrder(company=company, currency=currency_row, owner_id=company.owner_id,
                       team_id=company.team_id)
    session.add(order)
    for code, quantity in lines:
        product = session.scalars(select(Product).where(Product.code == code)).one()
        # the products are named "中文 / English": the English part in Europe (and
        # FatturaPA takes Latin-1 text only)
        name = product.name.split(" / ")[-1] if currency == "EUR" else product.name
        new_line(session, order, product, Decimal(quantity), tax=tax, tax_given=True,
                 description=name, unit_price_=EUR_PRICES[code] if currency == "EUR" else None)
    session.flush()
    order_states.confirm(session, order)
    invoice = draft_from_order.invoice_order(session, order)
    session.flush()
    issue_invoice.issue(session, invoice)  # queues its e-invoice (the addon's issue hook)
    return invoice


def _state(session: Session, invoice: Invoice) -> str:
    submission = session.scalars(select(EinvoiceSubmission).where(
        EinvoiceSubmission.invoice_id == invoice.id)
        .order_by(EinvoiceSubmission.attempt.desc())).first()
    if submission is None:
        return "none"
    label = str(states.LABELS[submission.state])
    return f"{label} ({submission.state_text})" if submission.state_text else label


def _red_letter(session: Session) -> list[str]:
    """The Chinese customer returns one sensor once its fapiao is issued."""
    company = session.scalars(select(Company).where(
        Company.source == data.SOURCE + "cn-fapiao")).first()
    blue = session.scalars(select(Invoice).where(
        Invoice.company_id == company.id, Invoice.state == ISSUED,
        Invoice.kind != CREDIT_NOTE)).first() if company else None
    if blue is None or session.scalar(select(Invoice.id).where(
            Invoice.credited_invoice_id == blue.id)) is not None:
        return []
    fapiao = session.scalars(select(EinvoiceSubmission).where(
        EinvoiceSubmission.invoice_id == blue.id, EinvoiceSubmission.state == states.ISSUED)
    ).first()
    if fapiao is None:
        return [f"{blue.number}: its fapiao is not issued yet; run the demo again once it "
                "is, for the red-letter correction"]
    line = next(li for li in blue.lines if li.order_line is not None
                and li.order_line.product.code == data.RED_LETTER_LINE)
    credit = credit_note.credit_note(session, blue, {line.id: Decimal(1)})
    session.flush()
    issue_invoice.issue(session, credit)
    return [f"{credit.number}: one {data.RED_LETTER_LINE} returned against fapiao "
            f"{fapiao.remote_number}, red-letter e-invoice {_state(session, credit)}"]


@click.command("demo")
def demo_command() -> None:
    """An invoice per e-invoice channel (and, run again, a red-letter fapiao)."""
    said = load_or_exit(load_demo)
    for line in said or ["nothing to add"]:
        click.echo(line)
