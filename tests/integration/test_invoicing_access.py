"""Invoices over HTTP: REST draft/issue/credit as Finance, the screens' POST
buttons (CSRF required, GET refused), the "Invoice" button on a confirmed
order's page, the immutability of issued invoices over REST and the edit
form, record rules per role (a Salesperson sees only their customers'
invoices, over HTML, REST and the print page), the print page in zh and en,
and concurrent issuing on PostgreSQL giving consecutive numbers."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.db import db
from tests.helpers import add_user, api_token, login
from tests.invoicing_world import as_finance, confirmed_order, world  # noqa: F401

pytestmark = pytest.mark.addons("invoicing_link")
YEAR = date.today().year


def bearer(client, user):
    return {"Authorization": f"Bearer {api_token(client, user)}"}


def test_finance_drafts_issues_and_credits_over_rest(world):  # noqa: F811
    app, ids = world
    client = app.test_client()
    headers = bearer(client, "fin")
    resp = client.post("/api/v1/invoice/", json={"order_id": ids["order"], "mode": "order"},
                       headers=headers)
    assert resp.status_code == 201, resp.get_json()
    pk = resp.get_json()["id"]
    body = resp.get_json()["result"]
    assert (body["state"], body["number"], body["amount_total"]) == ("draft", None, "230.1200")
    resp = client.post(f"/api/v1/invoice/{pk}/issue", headers=headers)
    assert resp.status_code == 200
    assert resp.get_json()["result"]["number"] == f"INV/{YEAR}/00001"
    assert client.post(f"/api/v1/invoice/{pk}/issue", headers=headers).status_code == 409
    assert client.delete(f"/api/v1/invoice/{pk}", headers=headers).status_code == 409
    assert client.put(f"/api/v1/invoice/{pk}", json={"note": "x"},
                      headers=headers).status_code in (404, 405)
    # over-invoicing: nothing is left
    resp = client.post("/api/v1/invoice/", json={"order_id": ids["order"], "mode": "order"},
                       headers=headers)
    assert (resp.status_code, resp.get_json()["field"]) == (400, "lines")
    line_id = client.get(f"/api/v1/invoice/{pk}", headers=headers).get_json()[
        "result"]["lines"][0]["id"]
    resp = client.post(f"/api/v1/invoice/{pk}/credit", headers=headers,
                       json={"lines": [{"invoice_line_id": line_id, "quantity": "4"}]})
    assert (resp.status_code, resp.get_json()["field"]) == (400, "quantity")
    resp = client.post(f"/api/v1/invoice/{pk}/credit", headers=headers,
                       json={"lines": [{"invoice_line_id": line_id, "quantity": "1"}]})
    assert resp.status_code == 201
    credit = resp.get_json()
    assert (credit["result"]["kind"], credit["result"]["amount_total"],
            credit["result"]["credited_invoice_id"]) == ("credit_note", "11.3100", pk)
    assert client.delete(f"/api/v1/invoice/{credit['id']}", headers=headers).status_code == 200
    with app.app_context():
        from addons.invoicing_link.models import Invoice

        assert db.session.get(Invoice, credit["id"]) is None
        assert str(db.session.get(Invoice, pk).amount_total) in ("230.12", "230.1200")


def test_screens_post_with_csrf_never_get_and_issued_is_read_only(world):  # noqa: F811
    app, ids = world
    client = app.test_client()
    token = login(client, "fin")
    order_page = client.get(f"/orderview/show/{ids['order']}").get_data(as_text=True)
    assert f"/invoiceview/from_order/{ids['order']}" in order_page
    assert "Not invoiced yet." in order_page
    assert client.get(f"/invoiceview/from_order/{ids['order']}").status_code == 405
    assert client.post(f"/invoiceview/from_order/{ids['order']}").status_code == 400  # no CSRF
    resp = client.post(f"/invoiceview/from_order/{ids['order']}", data={"csrf_token": token})
    assert resp.status_code == 302
    pk = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    page = client.get(f"/invoiceview/show/{pk}").get_data(as_text=True)
    assert "230.12" in page and f"/invoiceview/issue/{pk}" in page
    assert client.get(f"/invoiceview/issue/{pk}").status_code == 405
    assert client.post(f"/invoiceview/issue/{pk}").status_code == 400
    client.post(f"/invoiceview/issue/{pk}", data={"csrf_token": token})
    page = client.get(f"/invoiceview/show/{pk}").get_data(as_text=True)
    assert f"INV/{YEAR}/00001" in page
    # the edit form of an issued invoice changes nothing
    resp = client.post(f"/invoiceview/edit/{pk}", data={"csrf_token": token, "note": "changed",
                                                        "invoice_date": "", "due_date": ""},
                       follow_redirects=True)
    assert "cannot be changed" in resp.get_data(as_text=True)
    resp = client.post(f"/invoiceview/delete/{pk}", data={"csrf_token": token},
                       follow_redirects=True)
    with app.app_context():
        from addons.invoicing_link.models import Invoice

        invoice = db.session.get(Invoice, pk)
        assert invoice is not None and invoice.note is None
    page = client.get(f"/invoiceview/show/{pk}").get_data(as_text=True)
    assert f"/invoiceview/issue/{pk}" not in page and f"/invoiceview/credit/{pk}" in page
    client.post(f"/invoiceview/credit/{pk}", data={"csrf_token": token})
    order_page = client.get(f"/orderview/show/{ids['order']}").get_data(as_text=True)
    assert f"INV/{YEAR}/00001" in order_page and order_page.count('class="order-invoice"') == 2
    zh = client.get(f"/invoicing/invoice/{pk}/print?lang=zh").get_data(as_text=True)
    en = client.get(f"/invoicing/invoice/{pk}/print?lang=en").get_data(as_text=True)
    assert "价税合计" in zh and "230.12" in zh and f"INV/{YEAR}/00001" in zh
    assert "Total" in en and "230.12" in en and "Invoice date" in en


def test_record_rules_per_role_over_html_rest_and_print(world):  # noqa: F811
    app, ids = world
    other = confirmed_order(app, "s3", [("W-1", "1", "100", "0")], team="B")
    client = app.test_client()
    headers = bearer(client, "fin")
    pks = {}
    for key, order_id in (("s1", ids["order"]), ("s3", other)):
        resp = client.post("/api/v1/invoice/", json={"order_id": order_id, "mode": "order"},
                           headers=headers)
        pks[key] = resp.get_json()["id"]
        assert client.post(f"/api/v1/invoice/{pks[key]}/issue",
                           headers=headers).status_code == 200
    expected = {"s1": {"s1"}, "s2": set(), "s3": {"s3"}, "mgr": {"s1"},
                "fin": {"s1", "s3"}, "ro": {"s1", "s3"}}
    add_user(app, "sup", ["Support Agent"])  # no order access in sales, none here
    c = app.test_client()
    login(c, "sup")
    assert c.get("/api/v1/invoice/", headers=bearer(c, "sup")).status_code in (401, 403)
    assert c.get(f"/api/v1/invoice/{pks['s1']}", headers=bearer(c, "sup")).status_code in (
        401, 403)
    assert "INV/" not in c.get("/invoiceview/list/", follow_redirects=True).get_data(
        as_text=True)
    assert c.get(f"/invoicing/invoice/{pks['s1']}/print").status_code in (302, 403, 404)
    for user, sees in expected.items():
        c = app.test_client()
        token = login(c, user)
        h = bearer(c, user)
        listed = {r["id"] for r in c.get("/api/v1/invoice/", headers=h).get_json()["result"]}
        assert listed == {pks[k] for k in sees}, user
        html = c.get("/invoiceview/list/").get_data(as_text=True)
        if key_page := {"s1": ids["order"], "mgr": ids["order"]}.get(user):
            # the order's page lists its invoice, but only Finance gets the buttons
            order_page = c.get(f"/orderview/show/{key_page}").get_data(as_text=True)
            assert f"INV/{YEAR}/00001" in order_page
            assert "/invoiceview/from_order/" not in order_page
            invoice_page = c.get(f"/invoiceview/show/{pks['s1']}").get_data(as_text=True)
            assert "/invoiceview/credit/" not in invoice_page and "230.12" in invoice_page
        for key, pk in pks.items():
            want = 200 if key in sees else 404
            assert c.get(f"/api/v1/invoice/{pk}", headers=h).status_code == want, (user, key)
            assert c.get(f"/invoicing/invoice/{pk}/print").status_code == want, (user, key)
            assert (f"/invoiceview/show/{pk}" in html) == (key in sees), (user, key)
        if user != "fin":  # read only: no draft, no issue, no credit
            resp = c.post("/api/v1/invoice/", json={"order_id": ids["order"], "mode": "order"},
                          headers=h)
            assert resp.status_code in (401, 403), (user, resp.status_code)
            assert c.post(f"/api/v1/invoice/{pks['s1']}/credit",
                          headers=h).status_code in (401, 403, 404)
            assert c.post(f"/invoiceview/credit/{pks['s1']}",
                          data={"csrf_token": token}).status_code in (302, 403, 404)
    with app.app_context():
        from addons.invoicing_link.models import Invoice

        assert db.session.scalars(select(Invoice.kind)).all() == ["invoice", "invoice"]


def test_concurrent_issues_get_consecutive_numbers_without_gaps(world):  # noqa: F811
    """On PostgreSQL the issues wait on the sequence row's lock; on SQLite on
    the database's write lock (BEGIN IMMEDIATE): either way no gap, no twin."""
    app, ids = world
    threads = 4
    orders = [confirmed_order(app, "s1", [("W-1", "1", "10", "0")]) for _ in range(threads)]
    with app.test_request_context():
        from addons.invoicing_link.services.invoices import draft_from_order

        as_finance(app)
        from addons.sales.models import SalesOrder

        drafts = [draft_from_order.invoice_order(db.session, db.session.get(SalesOrder, o)).id
                  for o in orders]
        db.session.commit()
        db.session.remove()
    barrier = threading.Barrier(threads + 1)  # drafts[0] is issued by two threads

    def issue(pk):
        with app.test_request_context(method="POST"):  # as the Issue button: a writer
            from addons.invoicing_link.models import Invoice
            from addons.invoicing_link.services.invoices import issue_invoice
            from addons.invoicing_link.services.invoices.invoice_errors import (
                InvoiceStateError)

            try:
                barrier.wait(timeout=30)  # all start together
                as_finance(app)
                invoice = db.session.get(Invoice, pk)
                number = issue_invoice.issue(db.session, invoice)
                db.session.commit()
                return number
            except InvoiceStateError:  # drafts[0] issued by its twin first
                db.session.rollback()
                return "refused"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(threads + 1) as pool:
        # drafts[0] twice: one of the two is refused after drawing a number,
        # which its rollback gives back
        results = list(pool.map(issue, [drafts[0], *drafts]))
    assert results.count("refused") == 1, results
    issued = sorted(r for r in results if r != "refused")
    assert issued == [f"INV/{YEAR}/{n:05d}" for n in range(1, threads + 1)], results
    with app.app_context():
        from addons.invoicing_link.models import Invoice, InvoiceSequence

        assert sorted(db.session.scalars(select(Invoice.number))) == issued
        assert db.session.scalars(select(InvoiceSequence.next_number)).one() == threads + 1


def test_the_screens_speak_chinese(world):  # noqa: F811
    app, ids = world
    client = app.test_client()
    login(client, "fin")
    client.post("/api/v1/invoice/", json={"order_id": ids["order"], "mode": "order"},
                headers=bearer(client, "fin"))
    page = client.get("/invoiceview/list/", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True)
    assert "开票日期" in page and "草稿" in page and "Invoice date" not in page


def test_a_draft_is_edited_and_deleted_on_its_screen(world):  # noqa: F811
    app, ids = world
    client = app.test_client()
    token = login(client, "fin")
    resp = client.post(f"/invoiceview/from_order/{ids['order']}", data={"csrf_token": token})
    pk = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    form = {"csrf_token": token, "invoice_date": "2026-04-01", "due_date": "2026-03-01",
            "note": "PO 4711"}
    page = client.post(f"/invoiceview/edit/{pk}", data=form, follow_redirects=True)
    assert "before the invoice date" in page.get_data(as_text=True)
    client.post(f"/invoiceview/edit/{pk}", data={**form, "due_date": "2026-05-15"})
    with app.app_context():
        from addons.invoicing_link.models import Invoice

        invoice = db.session.get(Invoice, pk)
        assert (invoice.note, str(invoice.due_date)) == ("PO 4711", "2026-05-15")
    client.post(f"/api/v1/invoice/{pk}/issue", headers=bearer(client, "fin"))
    with app.app_context():
        from addons.invoicing_link.models import Invoice

        invoice = db.session.get(Invoice, pk)
        # the date chosen on the draft is the one issued (fiscal year 2026)
        assert (invoice.number, str(invoice.due_date)) == ("INV/2026/00001", "2026-05-15")
    made = client.post(f"/invoiceview/credit/{pk}", data={"csrf_token": token})
    credit_pk = int(made.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert credit_pk != pk
    client.post(f"/invoiceview/delete/{credit_pk}", data={"csrf_token": token})
    with app.app_context():
        from addons.invoicing_link.models import Invoice

        assert db.session.get(Invoice, credit_pk) is None
        assert db.session.get(Invoice, pk) is not None


def test_rest_down_payment_lines_and_bad_requests(world):  # noqa: F811
    app, ids = world
    client = app.test_client()
    headers = bearer(client, "fin")

    def post(body):
        return client.post("/api/v1/invoice/", json=body, headers=headers)

    order = ids["order"]
    assert post({"order_id": order, "mode": "down_payment", "percent": "0"}).get_json()[
        "field"] == "percent"
    assert post({"order_id": order, "mode": "down_payment"}).status_code == 400
    assert post({"order_id": order, "mode": "sideways"}).status_code == 400
    assert post({"order_id": 2 ** 40, "mode": "order"}).get_json()["field"] == "order_id"
    assert post({"mode": "order"}).status_code == 422
    resp = post({"order_id": order, "mode": "down_payment", "percent": "30"})
    assert resp.status_code == 201 and resp.get_json()["result"]["amount_total"] == "69.0400"
    dp = resp.get_json()["id"]
    assert client.post(f"/api/v1/invoice/{dp}/issue", headers=headers).status_code == 200
    lines = client.get(f"/api/v1/salesorder/{order}", headers=headers).get_json()[
        "result"]["lines"]
    resp = post({"order_id": order, "mode": "lines",
                 "lines": [{"order_line_id": lines[0]["id"], "quantity": "4"}]})
    assert (resp.status_code, resp.get_json()["field"]) == (400, "quantity")
    resp = post({"order_id": order, "mode": "lines",
                 "lines": [{"order_line_id": lines[0]["id"], "quantity": "3"}]})
    assert resp.status_code == 201 and resp.get_json()["result"]["amount_total"] == "33.9200"
    final = post({"order_id": order, "mode": "order"}).get_json()["result"]
    # 196.20 of gadgets less the 69.04 down payment
    assert final["amount_total"] == "127.1600"
    assert sum(Decimal(x["amount_total"]) for x in final["lines"] if x["deducted_line_id"]) == \
        Decimal("-69.04")
