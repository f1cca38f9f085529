"""`crossdock invoicing_link ...`: what finance does from a shell.

    crossdock invoicing_link invoice SO2026-00001 [--issue]   a draft of what is left (and issue it)
    crossdock invoicing_link pull                             the ERPs' invoices and payments, now
    crossdock invoicing_link balance "Company name"           what a company owes, by age

Each runs as the system (every record), in one transaction, and exits with
status 1 on a refusal, saying why.
"""
from __future__ import annotations

import click
from sqlalchemy import select

from addons.contacts.models import Company
from addons.sales.models import SalesOrder
from addons.sales.services.catalog.currency_rates import MissingRate
from connectors import hub

from .debts.balance import BUCKETS, company_balance
from .finance_sync.erp_invoices import ERP_INVOICES
from .finance_sync.payments import INVOICE_PAYMENTS
from .invoices import draft_from_order, issue_invoice
from .invoices.invoice_errors import InvoiceCheckError, InvoiceStateError


@click.command("invoice")
@click.argument("order_number")
@click.option("--issue", "issue_it", is_flag=True, help="Issue the draft (draws its number).")
def invoice_command(order_number: str, issue_it: bool) -> None:
    """A draft invoice of what is left to invoice on a confirmed order."""
    from core.db import db

    session = db.session
    order = session.scalars(select(SalesOrder).where(SalesOrder.number == order_number)).first()
    if order is None:
        raise click.ClickException(f"no order {order_number}")
    try:
        invoice = draft_from_order.invoice_order(session, order)
        session.flush()
        number = issue_invoice.issue(session, invoice) if issue_it else None
        session.commit()
    except (InvoiceCheckError, InvoiceStateError) as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"{order_number}: {number or f'draft #{invoice.id}'}, "
               f"{invoice.amount_total} {invoice.currency.code} "
               f"(untaxed {invoice.amount_untaxed}, tax {invoice.amount_tax})")


@click.command("pull")
def pull_command() -> None:
    """Read the ERPs' invoices of synced orders and every bound invoice's payments now."""
    from core.db import db

    changed = hub.pull_now(db.session, ERP_INVOICES, INVOICE_PAYMENTS)
    if not changed:
        click.echo("no active backend with synced orders or invoices")
    for backend, count in sorted(changed.items()):
        click.echo(f"{backend}: {count} invoices added or changed")


@click.command("balance")
@click.argument("company")
def balance_command(company: str) -> None:
    """What a company (its name, or #id) owes, by age, in the base currency."""
    from core.db import db

    session = db.session
    where = (Company.id == int(company[1:]) if company.startswith("#") and company[1:].isdigit()
             else Company.name == company)
    found = session.scalars(select(Company).where(where)).all()
    if len(found) != 1:
        raise click.ClickException(f"{len(found)} companies match {company!r}: use #id")
    try:
        balance = company_balance(session, found[0].id)
    except MissingRate as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{found[0].name}: {balance.text(balance.outstanding)} {balance.currency} "
               "outstanding")
    click.echo("  " + ", ".join(f"{key.replace('_', '-')} {balance.text(balance.buckets[key])}"
                                for key in BUCKETS))
    for invoice in balance.overdue:
        click.echo(f"  overdue {invoice.number}: due {invoice.due_date}, "
                   f"{invoice.amount_residual} {invoice.currency.code} left")
    for code, amount in balance.unconverted.items():
        click.echo(f"  not converted (no rate): {amount} {code}")
