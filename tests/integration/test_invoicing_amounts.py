"""Invoices from confirmed orders: amounts to the cent against the order (an
odd-rounding order split line by line), partial lines and over-invoicing
refused, a down payment then the final invoice summing to the order's total,
credit notes within what is left, numbering gap-free per series and fiscal
year, a refused issue consuming no number, and the lock on issued invoices."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.db import db
from tests.invoicing_world import as_finance, confirmed_order, load, totals, world  # noqa: F401

pytestmark = pytest.mark.addons("invoicing_link")

def test_whole_order_invoice_matches_the_order_to_the_cent_and_is_numbered_at_issue(world):
    app, ids = world
    with app.test_request_context():
        from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice

        as_finance(app)
        order = load(ids["order"])
        invoice = draft_from_order.invoice_order(db.session, order)
        db.session.commit()
        assert invoice.number is None and invoice.state == "draft"
        assert totals(invoice) == (Decimal("210.02"), Decimal("20.10"), Decimal("230.12"))
        assert [(x.amount_untaxed, x.amount_tax) for x in invoice.lines] == [
            (Decimal("30.02"), Decimal("3.90")), (Decimal("180.00"), Decimal("16.20"))]
        assert (invoice.owner_id, invoice.team_id) == (order.owner_id, order.team_id)
        number = issue_invoice.issue(db.session, invoice, today=date(2026, 3, 1))
        db.session.commit()
        assert number == "INV/2026/00001"
        assert (invoice.state, invoice.fiscal_year, invoice.due_date) == (
            "issued", 2026, date(2026, 3, 31))
        # nothing is left to invoice
        with pytest.raises(Exception, match="nothing left to invoice"):
            draft_from_order.invoice_order(db.session, order)
        db.session.rollback()


def test_odd_rounding_split_line_by_line_still_sums_to_the_order(world):
    app, ids = world
    with app.test_request_context():
        from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice
        from addons.invoicing_link.services.invoices.invoice_errors import InvoiceCheckError

        as_finance(app)
        order = load(ids["order"])
        widget, gadget = order.lines
        parts = []
        for qty in ("1", "1"):
            inv = draft_from_order.invoice_order(db.session, order, {widget.id: qty})
            issue_invoice.issue(db.session, inv)
            db.session.commit()
            parts.append(inv)
        # 1 x 10.005 = 10.01 (each part rounds up) + VAT 1.30
        assert [totals(p) for p in parts] == [(Decimal("10.01"), Decimal("1.30"),
                                               Decimal("11.31"))] * 2
        with pytest.raises(InvoiceCheckError, match="only 1 left to invoice"):
            draft_from_order.invoice_order(db.session, order, {widget.id: "2"})
        db.session.rollback()
        with pytest.raises(InvoiceCheckError, match="more than 0"):
            draft_from_order.invoice_order(db.session, order, {gadget.id: "0"})
        db.session.rollback()
        last = draft_from_order.invoice_order(db.session, order)  # the rest: 1 widget, 2 gadgets
        issue_invoice.issue(db.session, last)
        db.session.commit()
        # the last widget takes what is left: 30.02 - 20.02 = 10.00, tax 3.90 - 2.60
        assert [(x.amount_untaxed, x.amount_tax) for x in last.lines] == [
            (Decimal("10.00"), Decimal("1.30")), (Decimal("180.00"), Decimal("16.20"))]
        everything = [*parts, last]
        assert sum(p.amount_total for p in everything) == order.amount_total == Decimal("230.12")
        assert sum(p.amount_tax for p in everything) == order.amount_tax
        assert [p.number for p in everything] == [
            f"INV/{date.today().year}/0000{n}" for n in (1, 2, 3)]


def test_down_payment_then_final_invoice_sum_to_the_order(world):
    app, ids = world
    with app.test_request_context():
        from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice
        from addons.invoicing_link.services.invoices.invoice_errors import InvoiceCheckError

        as_finance(app)
        order = load(ids["order"])
        dp = draft_from_order.down_payment(db.session, order, percent="30")
        issue_invoice.issue(db.session, dp)
        db.session.commit()
        # 30% of 230.12 = 69.04, split over 13% (33.92) and 9% incl. (196.20):
        # 69.04 x 33.92 / 230.12 = 10.18 and 58.86; untaxed 9.01 and 54.00
        assert dp.amount_total == Decimal("69.04")
        assert [(x.tax_rate, x.amount_total, x.amount_untaxed, x.amount_tax)
                for x in dp.lines] == [
            (Decimal("13"), Decimal("10.18"), Decimal("9.01"), Decimal("1.17")),
            (Decimal("9"), Decimal("58.86"), Decimal("54.00"), Decimal("4.86"))]
        with pytest.raises(InvoiceCheckError, match="more than the order's total"):
            draft_from_order.down_payment(db.session, order, amount="161.09")
        db.session.rollback()
        final = draft_from_order.final_invoice(db.session, order)
        issue_invoice.issue(db.session, final)
        db.session.commit()
        deductions = [x for x in final.lines if x.deducted_line_id]
        assert [x.amount_total for x in deductions] == [Decimal("-10.18"), Decimal("-58.86")]
        assert final.amount_total == Decimal("161.08")
        assert dp.amount_total + final.amount_total == order.amount_total
        assert dp.amount_tax + final.amount_tax == order.amount_tax
        assert (dp.number, final.number) == (f"INV/{date.today().year}/00001",
                                             f"INV/{date.today().year}/00002")


def test_credit_notes_stay_within_the_invoice_and_free_the_quantity(world):
    app, ids = world
    with app.test_request_context():
        from addons.invoicing_link.services.invoices import (credit_note, draft_from_order,
                                                             issue_invoice)
        from addons.invoicing_link.services.invoices.invoice_errors import (
            InvoiceCheckError, InvoiceStateError)

        as_finance(app)
        order = load(ids["order"])
        invoice = draft_from_order.invoice_order(db.session, order)
        with pytest.raises(InvoiceStateError, match="only an issued invoice"):
            credit_note.credit_note(db.session, invoice)
        issue_invoice.issue(db.session, invoice)
        db.session.commit()
        widget_line = invoice.lines[0]
        part = credit_note.credit_note(db.session, invoice, {widget_line.id: "1"})
        issue_invoice.issue(db.session, part)
        db.session.commit()
        assert part.number == f"RINV/{date.today().year}/00001"
        assert part.credited_invoice_id == invoice.id
        assert totals(part) == (Decimal("10.01"), Decimal("1.30"), Decimal("11.31"))
        with pytest.raises(InvoiceCheckError, match="only 2 left to credit"):
            credit_note.credit_note(db.session, invoice, {widget_line.id: "3"})
        db.session.rollback()
        rest = credit_note.credit_note(db.session, invoice)
        issue_invoice.issue(db.session, rest)
        db.session.commit()
        assert part.amount_total + rest.amount_total == invoice.amount_total
        with pytest.raises(InvoiceCheckError, match="nothing left to credit"):
            credit_note.credit_note(db.session, invoice)
        db.session.rollback()
        # everything was credited: the order can be invoiced again, whole
        again = draft_from_order.invoice_order(db.session, order)
        assert again.amount_total == order.amount_total
        db.session.rollback()


def test_numbers_per_fiscal_year_and_a_refused_issue_takes_none(world):
    app, ids = world
    order2 = confirmed_order(world[0], "s1", [("W-1", "5", "2", "0")])
    with app.test_request_context():
        from addons.invoicing_link.models import InvoiceSequence
        from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice
        from addons.invoicing_link.services.invoices.invoice_errors import InvoiceCheckError

        as_finance(app)
        order, other = load(ids["order"]), load(order2)
        a = draft_from_order.invoice_order(db.session, order, {order.lines[0].id: "1"})
        b = draft_from_order.invoice_order(db.session, order, {order.lines[0].id: "2"})
        db.session.commit()
        assert issue_invoice.issue(db.session, a, today=date(2025, 12, 31)) == "INV/2025/00001"
        db.session.commit()
        assert issue_invoice.issue(db.session, b, today=date(2026, 1, 2)) == "INV/2026/00001"
        db.session.commit()
        # two drafts of the same quantity: the second cannot be issued once the first is
        c = draft_from_order.invoice_order(db.session, other, {other.lines[0].id: "5"})
        db.session.commit()
        from addons.invoicing_link.models import Invoice

        d = Invoice(kind="invoice", series="INV", order_id=other.id,
                    currency_id=other.currency_id, company_id=other.company_id,
                    owner_id=other.owner_id)
        from addons.invoicing_link.models import InvoiceLine

        d.lines = [InvoiceLine(order_line_id=other.lines[0].id, description="copy",
                               quantity=Decimal(5), unit_price=Decimal(2),
                               amount_untaxed=Decimal(10), amount_tax=Decimal("1.30"),
                               amount_total=Decimal("11.30"))]
        db.session.add(d)
        db.session.commit()
        assert issue_invoice.issue(db.session, c, today=date(2026, 2, 1)) == "INV/2026/00002"
        db.session.commit()
        with pytest.raises(InvoiceCheckError):
            issue_invoice.issue(db.session, d, today=date(2026, 2, 1))
        db.session.rollback()
        db.session.expire_all()
        seq = db.session.scalars(select(InvoiceSequence).filter_by(
            series="INV", fiscal_year=2026)).one()
        assert seq.next_number == 3  # the refused issue gave its number back
        assert db.session.get(Invoice, d.id).number is None


def test_an_issued_invoice_and_its_lines_are_locked_in_the_orm(world):
    app, ids = world
    with app.test_request_context():
        from addons.invoicing_link.models import Invoice, InvoiceLine
        from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice
        from addons.invoicing_link.services.invoices.invoice_lock import InvoiceLocked

        as_finance(app)
        order = load(ids["order"])
        draft = draft_from_order.invoice_order(db.session, order, {order.lines[0].id: "1"})
        db.session.commit()
        draft.note = "drafts change freely"
        db.session.commit()
        invoice = draft_from_order.invoice_order(db.session, order, {order.lines[1].id: "1"})
        issue_invoice.issue(db.session, invoice)
        db.session.commit()
        pk = invoice.id
        for change in (lambda i: setattr(i, "amount_total", Decimal(1)),
                       lambda i: setattr(i, "number", "INV/2026/99999"),
                       lambda i: setattr(i, "state", "draft"),
                       lambda i: setattr(i.lines[0], "quantity", Decimal(5)),
                       lambda i: i.lines.append(InvoiceLine(
                           description="x", quantity=Decimal(1), unit_price=Decimal(1),
                           amount_untaxed=Decimal(1), amount_tax=Decimal(0),
                           amount_total=Decimal(1))),
                       lambda i: db.session.delete(i.lines[0]),
                       lambda i: db.session.delete(i)):
            inv = db.session.get(Invoice, pk)
            change(inv)
            with pytest.raises(InvoiceLocked, match="cannot be changed"):
                db.session.flush()
            db.session.rollback()
        from sqlalchemy import delete, update

        for bulk in (update(Invoice).where(Invoice.id == pk).values(amount_total=1),
                     update(InvoiceLine).values(quantity=9), delete(InvoiceLine),
                     delete(Invoice).where(Invoice.id == pk)):
            with pytest.raises(InvoiceLocked, match="bulk"):
                db.session.execute(bulk)
            db.session.rollback()
        inv = db.session.get(Invoice, pk)
        inv.amount_paid, inv.payment_state = Decimal("10"), "partial"  # the finance system's
        db.session.commit()
        db.session.delete(db.session.get(Invoice, draft.id))  # a draft goes
        db.session.commit()
        assert db.session.get(Invoice, pk).amount_total == Decimal("98.10")  # 1 of 2 gadgets


def test_crediting_a_final_invoice_opens_its_down_payments_again(world):
    app, ids = world
    with app.test_request_context():
        from addons.invoicing_link.services.invoices import (credit_note, draft_from_order,
                                                             invoiced_amounts, issue_invoice)

        as_finance(app)
        order = load(ids["order"])
        dp = draft_from_order.down_payment(db.session, order, amount="100")
        issue_invoice.issue(db.session, dp)
        final = draft_from_order.final_invoice(db.session, order)
        issue_invoice.issue(db.session, final)
        db.session.commit()
        assert final.amount_total == Decimal("130.12")
        assert invoiced_amounts.open_down_payments(db.session, order) == []
        credit = credit_note.credit_note(db.session, final)
        issue_invoice.issue(db.session, credit)
        db.session.commit()
        assert credit.amount_total == Decimal("130.12")
        reopened = invoiced_amounts.open_down_payments(db.session, order)
        assert sum(left.total for _, left in reopened) == Decimal("100.00")
        again = draft_from_order.final_invoice(db.session, order)
        assert again.amount_total == Decimal("130.12")
        assert sorted(x.amount_total for x in again.lines if x.deducted_line_id) == sorted(
            -x.amount_total for x in dp.lines)
        db.session.rollback()


def test_the_payment_terms_setting_sets_the_due_date(world, make_app):
    _, ids = world
    app = make_app(invoicing_payment_days=14)
    with app.test_request_context():
        from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice

        as_finance(app)
        invoice = draft_from_order.invoice_order(db.session, load(ids["order"]))
        issue_invoice.issue(db.session, invoice, today=date(2026, 3, 1))
        db.session.commit()
        assert (invoice.invoice_date, invoice.due_date) == (date(2026, 3, 1), date(2026, 3, 15))
