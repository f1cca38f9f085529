"""What a customer owes (services/debts/balance.py): open residuals of issued
invoices less open credit notes, in the base currency at today's rate, by
age; on the company page for readers of invoices and over REST, inside the
record rules."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.db import db
from tests.helpers import add_user, api_token, login
from tests.invoicing_world import as_finance, confirmed_order, load, world  # noqa: F401

pytestmark = pytest.mark.addons("invoicing_link")


def _issued(app, order_id, due: date, paid: str | None = None, currency: str | None = None):
    """An invoice of the whole order, issued, due on `due`, `paid` reported paid."""
    with app.test_request_context():
        from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice

        as_finance(app)
        invoice = draft_from_order.invoice_order(db.session, load(order_id))
        invoice.due_date = due
        db.session.flush()
        issue_invoice.issue(db.session, invoice)
        db.session.commit()
        if paid is not None:  # as the payment pull writes it
            invoice.amount_paid = Decimal(paid)
            invoice.amount_residual = invoice.amount_total - Decimal(paid)
            invoice.payment_state = "partial"
            invoice.payment_changed_at = datetime.utcnow()
            db.session.commit()
        return invoice.id, invoice.amount_total


def test_ageing_buckets_and_the_company_page(world):  # noqa: F811
    app, ids = world
    today = date.today()
    first, total = _issued(app, ids["order"], today - timedelta(days=45), paid="30.12")
    second_order = confirmed_order(app, "s1", [("W-1", "10", "100", "0")], team="A")
    second, second_total = _issued(app, second_order, today + timedelta(days=10))
    third_order = confirmed_order(app, "s1", [("W-1", "1", "50", "0")], team="A")
    third, third_total = _issued(app, third_order, today - timedelta(days=100))
    assert (total, second_total, third_total) == (
        Decimal("230.12"), Decimal("1130.00"), Decimal("56.50"))

    client = app.test_client()
    with app.app_context():
        from addons.contacts.models import Company

        company_id = db.session.scalars(select(Company.id).filter_by(
            name="Customer of s1")).one()
    resp = client.get(f"/api/v1/invoice/balance/{company_id}",
                      headers={"Authorization": f"Bearer {api_token(client, 'fin')}"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    balance = resp.get_json()["result"]
    assert balance["currency"] == "CNY"
    assert balance["buckets"] == {"not_due": "1130.00", "1_30": "0.00", "31_60": "200.00",
                                  "61_90": "0.00", "over_90": "56.50"}
    assert balance["outstanding"] == "1386.50"
    assert [o["id"] for o in balance["overdue"]] == [third, first]  # oldest due first

    owner = app.test_client()  # the salesperson sees their customer's balance on its page
    login(owner, "s1")
    page = owner.get(f"/companyview/show/{company_id}").get_data(as_text=True)
    panel = page.split('id="company-balance"', 1)[1].split("</table>", 1)[0]
    assert re.search(r'id="company-outstanding">\s*1,386.50 CNY', page)
    assert 'data-bucket="31_60">200.00<' in panel and 'data-bucket="over_90">56.50<' in panel

    other = app.test_client()  # another team's salesperson may not read the company
    login(other, "s3")
    assert other.get(f"/api/v1/invoice/balance/{company_id}", headers={
        "Authorization": f"Bearer {api_token(other, 's3')}"}).status_code == 404

    add_user(app, "sup", ["Support Agent"])  # reads companies, not invoices: no panel
    support = app.test_client()
    login(support, "sup")
    page = support.get(f"/companyview/show/{company_id}")
    if page.status_code == 200:
        assert 'id="company-balance"' not in page.get_data(as_text=True)


def test_an_open_credit_note_lowers_the_balance(world):  # noqa: F811
    app, ids = world
    first, total = _issued(app, ids["order"], date.today() + timedelta(days=30))
    with app.test_request_context():
        from addons.invoicing_link.models import Invoice
        from addons.invoicing_link.services.debts.balance import company_balance
        from addons.invoicing_link.services.invoices import credit_note, issue_invoice

        as_finance(app)
        invoice = db.session.get(Invoice, first)
        credit = credit_note.credit_note(
            db.session, invoice, {invoice.lines[0].id: Decimal("1")})  # 1 x W-1
        db.session.flush()
        issue_invoice.issue(db.session, credit)
        db.session.commit()
        balance = company_balance(db.session, invoice.company_id)
        assert credit.amount_total == Decimal("11.31")
        assert balance.outstanding == total - credit.amount_total
        assert balance.buckets["not_due"] == balance.outstanding


def test_debtors_list_who_owes_what_largest_first_and_its_csv(world):  # noqa: F811
    app, ids = world
    today = date.today()
    _issued(app, ids["order"], today - timedelta(days=20))  # s1's customer: 230.12, 1-30 late
    other = confirmed_order(app, "s3", [("W-1", "10", "100", "0")], team="B")
    _issued(app, other, today + timedelta(days=5))  # s3's customer: 1130.00, not due

    finance = app.test_client()
    login(finance, "fin")
    page = finance.get("/invoicing/debtors/").get_data(as_text=True)
    table = page.split('id="debtors-table"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr data-company=\"\d+\"><td><a [^>]*>([^<]+)</a></td>\s*<td>([^<]*)</td>"
                      r"<td class=\"text-right outstanding\">([^<]+)</td>", table)
    assert rows == [("Customer of s3", "s3", "1,130.00"), ("Customer of s1", "s1", "230.12")]
    assert 'data-bucket="1_30">230.12<' in table

    late = finance.get("/invoicing/debtors/?overdue=1").get_data(as_text=True)
    assert "Customer of s1" in late and "Customer of s3" not in late

    exported = finance.get("/invoicing/debtors/?format=csv")
    assert exported.mimetype == "text/csv"
    text = exported.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads the Chinese names right
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Company,Owner,Outstanding (CNY)")
    assert lines[1].split(",")[:3] == ["Customer of s3", "s3", "1130.00"]

    own = app.test_client()  # a salesperson: their own customers' only
    login(own, "s1")
    mine = own.get("/invoicing/debtors/").get_data(as_text=True)
    assert "Customer of s1" in mine and "Customer of s3" not in mine

    add_user(app, "sup", ["Support Agent"])
    support = app.test_client()
    login(support, "sup")
    assert support.get("/invoicing/debtors/").status_code in (302, 403)


def test_an_overdue_invoice_gives_its_owner_one_activity(world):  # noqa: F811
    """The scheduler's hourly task (services/debts/overdue.py): one to-do per
    unpaid invoice past its due date, for the order's owner, on the company,
    once; a paid or not yet due invoice gets none."""
    from connectors.hub.scheduler import Scheduler

    app, ids = world
    today = date.today()
    late, _ = _issued(app, ids["order"], today - timedelta(days=10))
    paid_order = confirmed_order(app, "s1", [("W-1", "1", "50", "0")], team="A")
    paid, _ = _issued(app, paid_order, today - timedelta(days=10), paid="56.50")
    early_order = confirmed_order(app, "s1", [("W-1", "2", "50", "0")], team="A")
    _issued(app, early_order, today + timedelta(days=3))

    scheduler = Scheduler(app.extensions["hub"], "reminders")
    done = scheduler.tick()
    assert done["tasks"]["invoicing.overdue_reminders"] == "1 overdue invoices, one activity each"
    scheduler._last_pull.clear()
    assert scheduler.tick()["tasks"]["invoicing.overdue_reminders"] == "nothing to do"
    with app.app_context():
        from flask_appbuilder.security.sqla.models import User

        from addons.invoicing_link.models import Invoice
        from addons.sales.models import Activity

        number = db.session.get(Invoice, late).number
        activities = db.session.scalars(select(Activity)).all()
        assert [(a.kind, a.due_date, a.summary.split(":")[0]) for a in activities] == [
            ("todo", today, f"Invoice {number} is overdue")]
        owner = db.session.get(User, activities[0].owner_id).username
        assert owner == "s1" and activities[0].company.name == "Customer of s1"
        assert "230.12 CNY left to pay" in activities[0].summary
        assert db.session.get(Invoice, paid).overdue_reminded_at is None
