"""The `fapiao` channel end to end: a Chinese customer's issued invoice goes
to Nuonuo (the double, over HTTP, its access token fetched from the double's
token endpoint) through the hub, once even when the first answer is lost;
a pull brings the 20-digit number and the PDF back onto the submission; the
double's fapiao is the invoice field by field, to the fen. The credit note
waits for the blue fapiao, then becomes a red-letter form whose red fapiao
names the blue one (after the token expired: fetched again, once). A
product without a tax classification code keeps the fapiao from leaving;
sent again with a code the bureau does not know, it comes back rejected in
Nuonuo's words. When the buyer has booked the blue fapiao, a credit note's
red-letter form waits for them (one step on the invoice page however often
it is pulled) until they confirm it, or refuse it: rejected in the bureau's
words, sent again as a new form.
SQLite only: the hub's jobs, pulls and bindings are proven on both databases
by the hub's and invoicing's tests; this is the channel.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import func, select

from core.db import db
from tests.doubles.json_http import JsonHttpServer
from tests.doubles.nuonuo_double import BAD_TAX_CODE, NuonuoDouble
from tests.helpers import csrf_token, install, login
from tests.invoicing_world import as_finance, jobs_run_out, load, world  # noqa: F401
from tests.sqlite_only import sqlite_database_url  # noqa: F401 (the database_url fixture)

pytestmark = pytest.mark.addons("invoicing_link")
SELLER_TAX, BUYER_TAX = "91330106MA2AYNWD8M", "91440101MA5APD8X8J"
CODES = {"W-1": "1090511990000000000", "G-1": "3049900000000000000"}
ISSUE = "nuonuo.OpeMplatform.requestBillingNew"


@pytest.fixture
def nuonuo():
    """A Nuonuo double per test: our order numbers start again in each app."""
    server = JsonHttpServer(NuonuoDouble()).start()
    yield server
    server.stop()


@pytest.fixture
def app(make_app):
    app = make_app(hub_backoff_base_seconds=0.2, hub_backoff_ceiling_seconds=0.5)
    yield app
    app.extensions["hub"].stop()


@pytest.fixture
def china(world, nuonuo):  # noqa: F811
    """The world's customer in China (special fapiao), tax codes on both
    products, a Chinese seller, a `nuonuo` backend fetching its own token."""
    app, ids = world
    install(app, "einvoicing")
    with app.app_context():
        from addons.contacts.models import Company
        from addons.einvoicing.models import EinvoiceSeller
        from addons.sales.models import Product
        from connectors.hub.backends import save_backend

        customer = db.session.scalars(select(Company).filter_by(name="Customer of s1")).one()
        customer.name, customer.tax_id, customer.country_code = (
            "广州某某贸易有限公司", BUYER_TAX, "CN")
        customer.province, customer.city, customer.street = "广东省", "广州市", "天河路1号"
        customer.einvoice_channel, customer.fapiao_kind = "fapiao", "special"
        for product in db.session.scalars(select(Product).where(Product.code.in_(CODES))):
            product.fapiao_tax_code = CODES[product.code]
        db.session.add(EinvoiceSeller(
            name="杭州十字码头科技有限公司", tax_registration=SELLER_TAX, country_code="CN",
            city="杭州市", street="文三路1号", phone="0571-88888888",
            bank_details="招商银行杭州分行 571900000000001"))
        save_backend(db.session, None, name="nuonuo", kind="nuonuo",
                     url=f"{nuonuo.url}/open/v1/services", database=SELLER_TAX,
                     username="nn-app-key", secret="nn-app-secret",
                     options_json=json.dumps({"token_url": f"{nuonuo.url}/accessToken"}))
        db.session.commit()
    return app, ids


def issued_invoice(app, ids) -> int:
    from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice

    with app.test_request_context():
        as_finance(app)
        invoice = draft_from_order.invoice_order(db.session, load(ids["order"]))
        db.session.flush()
        issue_invoice.issue(db.session, invoice)
        db.session.commit()
        return invoice.id


def submissions(invoice_id):
    from addons.einvoicing.models import EinvoiceSubmission

    return db.session.scalars(select(EinvoiceSubmission).filter_by(invoice_id=invoice_id)
                              .order_by(EinvoiceSubmission.attempt)).all()


def pulled_until_final(app, invoice_id, timeout=5.0):
    """Run the fapiao pull (as the scheduler would) until the invoice's latest
    submission is issued or rejected; that submission."""
    from addons.einvoicing.services.sending.fapiao import FAPIAO
    from connectors import hub

    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            hub.pull_now(db.session, *FAPIAO.answers)
            latest = submissions(invoice_id)[-1]
            if latest.state in ("issued", "rejected") or time.monotonic() > deadline:
                db.session.expunge(latest)
                return latest
        time.sleep(0.1)


def test_an_invoice_is_issued_once_and_its_credit_note_red_letters_it(china, nuonuo):
    app, ids = china
    double = nuonuo.app
    double.fail_after_taking = 1  # Nuonuo takes the first request, its answer is lost
    invoice_id = issued_invoice(app, ids)
    with app.app_context():
        (queued,) = submissions(invoice_id)
        assert (queued.state, queued.content_type) == ("queued", "application/json")
    jobs = jobs_run_out(app)
    assert [(kind, state) for kind, state, _ in jobs] == [("einvoicing.fapiao.send", "done")]
    with app.app_context():
        from addons.invoicing_link.models import Invoice

        invoice = db.session.get(Invoice, invoice_id)
        (sent,) = submissions(invoice_id)
        order_no = "INV" + invoice.number.split("/", 1)[1].replace("/", "") + "-1"
        assert (sent.state, sent.remote_id) == ("sent", order_no)
        lines = [(line.description, line.amount_untaxed) for line in invoice.lines]
        assert (invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total) == (
            Decimal("210.02"), Decimal("20.10"), Decimal("230.12"))
    # the retry asked again under the same order number: one fapiao
    assert [code for method, code in double.calls if method == ISSUE] == ["E0000", "E0000"]
    assert double.issued_for(order_no) == 1

    # a credit note of one gadget before the blue fapiao is issued: it waits
    from addons.invoicing_link.services.invoices import credit_note, issue_invoice

    with app.test_request_context():
        as_finance(app)
        blue_invoice = db.session.get(Invoice, invoice_id)
        gadget = next(line for line in blue_invoice.lines if line.description.startswith("G"))
        credit = credit_note.credit_note(db.session, blue_invoice, {gadget.id: "1"})
        issue_invoice.issue(db.session, credit)
        db.session.commit()
        credit_id = credit.id
        (waiting,) = submissions(credit_id)
        assert waiting.state == "not_sent"
        assert "the blue fapiao is not issued yet" in waiting.state_text

    blue = pulled_until_final(app, invoice_id)
    fapiao = double.orders[order_no]
    assert blue.state == "issued", blue.state_text
    assert blue.remote_number == fapiao.number and len(fapiao.number) == 20
    assert blue.document_url == f"{nuonuo.url}/fp/{fapiao.number}.pdf"
    # Nuonuo's totals as the pull read them are the invoice's: 210.02 + 20.10
    assert blue.state_text == f"fapiao {fapiao.number}: 230.12 CNY, tax 20.10"

    order = json.loads(fapiao.body)
    assert (order["buyerName"], order["buyerTaxNum"], order["buyerAddress"]) == (
        "广州某某贸易有限公司", BUYER_TAX, "广东省 广州市 天河路1号")
    assert (order["salerTaxNum"], order["salerTel"], order["salerAccount"]) == (
        SELLER_TAX, "0571-88888888", "招商银行杭州分行 571900000000001")
    assert (order["orderNo"], order["invoiceLine"], order["invoiceType"]) == (order_no, "bs", "1")
    assert order["clerk"] and invoice.number in order["remark"]
    # W-1: 3 x 10.005 + 13% = 30.02 + 3.90; G-1: 2 x 109 less 10%, 9% included:
    # 196.20 = 180.00 + 16.20 (net price 98.1); each as the invoice line
    assert [(d["goodsCode"], d["goodsName"], d["num"], d["price"], d["taxRate"],
             d["withTaxFlag"], d["taxExcludedAmount"], d["tax"], d["taxIncludedAmount"])
            for d in order["invoiceDetail"]] == [
        (CODES["W-1"], lines[0][0], "3", "10.005", "0.13", "0", "30.02", "3.90", "33.92"),
        (CODES["G-1"], lines[1][0], "2", "98.1", "0.09", "1", "180.00", "16.20", "196.20")]
    assert [Decimal(d["taxExcludedAmount"]) for d in order["invoiceDetail"]] == [
        amount for _, amount in lines]
    assert len(double.fetched_tokens) == 1  # one token for every call so far

    # the token's 24 hours pass; Finance sends the credit note again
    double.expire_tokens()
    from addons.einvoicing.services.sending import send_again

    with app.test_request_context():
        as_finance(app)
        (waiting,) = submissions(credit_id)
        again = send_again(db.session, waiting)
        db.session.commit()
        assert again.state == "queued"
    assert [(kind, state) for kind, state, _ in jobs_run_out(app)] == [
        ("einvoicing.fapiao.send", "done"), ("einvoicing.fapiao.documents", "done"),
        ("einvoicing.fapiao.send", "done")]  # the blue fapiao's files fetched meanwhile
    red = pulled_until_final(app, credit_id)
    assert red.state == "issued", red.state_text
    red_fapiao = double.orders[red.remote_id]
    assert red.remote_number == red_fapiao.number != fapiao.number
    assert red_fapiao.blue_number == fapiao.number and red_fapiao.red_reason == "1"  # 销货退回
    assert red.state_text == (f"fapiao {red_fapiao.number}: -98.10 CNY, tax -8.10 "
                              f"(red, corrects {fapiao.number})")
    form = json.loads(double.red_forms[red.remote_id])
    assert [(d["blueDetailIndex"], d["goodsCode"], d["num"], d["taxExcludedAmount"],
             d["taxAmount"]) for d in form["detail"]] == [
        ("2", CODES["G-1"], "-1", "-90.00", "-8.10")]
    with app.app_context():
        credit = db.session.get(Invoice, credit_id)
        assert (credit.amount_untaxed, credit.amount_tax) == (Decimal("90.00"),
                                                              Decimal("8.10"))
        (blue,) = submissions(invoice_id)
        assert [event.state for event in blue.events] == ["queued", "sent", "issued", "issued"]
        assert blue.events[-1].text == (f"red-lettered by fapiao {red_fapiao.number} "
                                        f"({credit.number})")
    assert len(double.fetched_tokens) == 2  # the expired one refused, fetched once again
    assert double.issued_for(red.remote_id) == 1


def test_a_missing_tax_code_keeps_the_fapiao_from_leaving_an_unknown_one_is_rejected(
        china, nuonuo):
    app, ids = china
    with app.app_context():
        from addons.sales.models import Product

        db.session.scalars(select(Product).filter_by(code="G-1")).one().fapiao_tax_code = None
        db.session.commit()
    invoice_id = issued_invoice(app, ids)
    with app.app_context():
        from connectors.hub.models import SyncJob

        (invalid,) = submissions(invoice_id)
        assert invalid.state == "invalid"
        assert invalid.state_text == "1 validation rules failed; nothing was sent"
        problems = json.loads(invalid.events[-1].details_json)["problems"]
        assert problems == [["FAPIAO-TAX-CODE", "line 2: [G-1] Gadget has no tax "
                             "classification code (税收分类编码); set it on the product"]]
        assert db.session.scalar(select(func.count(SyncJob.id))) == 0
    assert nuonuo.app.calls == [] and nuonuo.app.fetched_tokens == {}

    # a code of the right form the bureau does not know: sent, then rejected in its words
    with app.app_context():
        db.session.scalars(select(Product).filter_by(code="G-1")).one().fapiao_tax_code = \
            BAD_TAX_CODE
        db.session.commit()
    from addons.einvoicing.services.sending import send_again

    with app.test_request_context():
        as_finance(app)
        (invalid,) = submissions(invoice_id)
        assert send_again(db.session, invalid).state == "queued"
        db.session.commit()
    assert [state for _, state, _ in jobs_run_out(app)] == ["done"]
    rejected = pulled_until_final(app, invoice_id)
    assert (rejected.attempt, rejected.state, rejected.remote_id) == (2, "rejected",
                                                                     rejected.file_name[:-5])
    assert rejected.state_text == (f"Nuonuo status 22: 商品编码{BAD_TAX_CODE}"
                                   "在税收分类编码表中不存在")


def credited(app, invoice_id, code) -> int:
    """A credit note of one unit of the invoice's line of product `code`, issued."""
    from addons.invoicing_link.models import Invoice
    from addons.invoicing_link.services.invoices import credit_note, issue_invoice

    with app.test_request_context():
        as_finance(app)
        invoice = db.session.get(Invoice, invoice_id)
        line = next(line for line in invoice.lines if line.description.startswith(code))
        credit = credit_note.credit_note(db.session, invoice, {line.id: "1"})
        issue_invoice.issue(db.session, credit)
        db.session.commit()
        return credit.id


def history(finance, invoice_id) -> list[str]:
    """The latest attempt's history rows on the invoice page, as the reader sees them."""
    page = finance.get(f"/invoiceview/show/{invoice_id}").get_data(as_text=True)
    latest = page.split('id="invoice-einvoice"', 1)[1].split("einvoice-history")[-1]
    return [unescape(row.split("<td>")[-1].split("</td>")[0])
            for row in latest.split("</table>", 1)[0].split("<tr>")[2:]]


def test_a_red_letter_form_waits_for_the_buyer_who_confirms_or_refuses_it(china, nuonuo):
    from addons.einvoicing.services.sending.fapiao import FAPIAO
    from connectors import hub

    app, ids = china
    double = nuonuo.app
    invoice_id = issued_invoice(app, ids)
    jobs_run_out(app)
    blue = pulled_until_final(app, invoice_id)
    double.buyer_books(blue.remote_number)       # the buyer booked it: forms need their word
    finance = app.test_client()
    login(finance, "fin")

    returned = credited(app, invoice_id, "G")
    jobs_run_out(app)
    for _ in range(3):                            # the scheduler's pulls, minutes apart
        with app.app_context():
            hub.pull_now(db.session, *FAPIAO.answers)
            db.session.commit()
    with app.app_context():
        (waiting,) = submissions(returned)
        order_no = waiting.remote_id
    form = double.forms[order_no]
    assert (waiting.state, form.status) == ("sent", "02")
    since = datetime.strptime(form.bill_time, "%Y-%m-%d %H:%M:%S")
    words = (f"red-letter form (红字确认单) {form.number} waits for the buyer's confirmation "
             f"since {since:%Y-%m-%d %H:%M}; unconfirmed, the bureau voids it at "
             f"{since + timedelta(hours=72):%Y-%m-%d %H:%M} (Beijing time)")
    assert waiting.state_text == words
    # queued, sent, then the waiting step: once over three pulls
    assert [step == words for step in history(finance, returned)] == [False, False, True]

    double.buyer_confirms(order_no)
    red = pulled_until_final(app, returned)
    assert red.state == "issued" and red.remote_number == double.orders[order_no].number
    with app.app_context():
        (blue,) = submissions(invoice_id)
        assert blue.state == "issued"
        assert blue.events[-1].text.startswith(f"red-lettered by fapiao {red.remote_number}")
        blue_steps = len(blue.events)

    # another credit note; the buyer refuses its form: rejected in the bureau's words
    refused_id = credited(app, invoice_id, "W")
    jobs_run_out(app)
    with app.app_context():
        hub.pull_now(db.session, *FAPIAO.answers)
        db.session.commit()
        first_order = submissions(refused_id)[0].remote_id
    double.buyer_refuses(first_order, "货物未退回")
    refused = pulled_until_final(app, refused_id)
    first_form = double.forms[first_order]
    assert (refused.state, refused.state_text) == ("rejected", (
        f"red-letter form (红字确认单) {first_form.number}: 作废（销方录入购方否认）: 货物未退回 "
        "(Nuonuo status 05); send the credit note again for a new form"))
    with app.app_context():
        (blue,) = submissions(invoice_id)
        assert (blue.state, len(blue.events)) == ("issued", blue_steps)  # nothing else moves

    with app.app_context():
        first_id = submissions(refused_id)[0].id
    page = finance.get(f"/invoiceview/show/{refused_id}").get_data(as_text=True)
    assert "einvoice-send-again" in page           # Finance sends it again: a new form
    assert finance.post(f"/einvoicing/submissions/send_again/{first_id}",
                        data={"csrf_token": csrf_token(page)}).status_code == 302
    jobs_run_out(app)
    with app.app_context():
        hub.pull_now(db.session, *FAPIAO.answers)
        db.session.commit()
        second_order = submissions(refused_id)[1].remote_id
    assert second_order != first_order and double.forms[second_order].status == "02"
    double.buyer_confirms(second_order)
    again = pulled_until_final(app, refused_id)
    assert (again.attempt, again.state) == (2, "issued")
    assert double.issued_for(first_order) == 0 and double.issued_for(second_order) == 1
