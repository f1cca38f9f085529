"""The Odoo client's invoice calls (`account.move`) against the Odoo double,
over both wire protocols; what they left in "Odoo" is read back through the
double's JSON-2 API, as an Odoo user's script would."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import requests

from connectors.erp.invoice_payloads import InvoiceOut
from connectors.erp.odoo import OdooClient
from connectors.erp.payloads import Customer, LineTax, OrderLine, SaleOrder
from connectors.errors import PermanentError, TransientError
from tests.doubles.references import unique_ref

pytest_plugins = ["tests.doubles.fixtures"]  # odoo_server, proxy_to

KEY = "odoo-test-key"
MOVE_FIELDS = ["name", "move_type", "state", "ref", "partner_id", "invoice_date",
               "invoice_date_due", "invoice_origin", "amount_untaxed", "amount_tax",
               "amount_total", "amount_residual", "payment_state", "reversed_entry_id",
               "invoice_line_ids"]


def odoo(server, model, method, **params):
    """One JSON-2 call, independent of the client under test."""
    response = requests.post(f"{server.url}/json/2/{model}/{method}", json=params,
                             headers={"Authorization": f"bearer {KEY}"}, timeout=5)
    response.raise_for_status()
    return response.json()


def client_for(url, protocol="json2"):
    return OdooClient(url, "odoo", "admin", KEY if protocol == "json2" else "admin",
                      {"protocol": protocol})


@pytest.fixture(params=["json2", "jsonrpc"])
def client(request, odoo_server):
    return client_for(odoo_server.url, request.param)


VAT13 = (LineTax("VAT 13%", Decimal("13"), False, "VAT 13%"),)
LINES = (OrderLine("CD-CHAIR", "Chair, oak", Decimal(4), Decimal("120.00"), Decimal(10),
                   taxes=VAT13, amount_untaxed=Decimal("432.00"), amount_tax=Decimal("56.16")),
         OrderLine("CD-LAMP", "Desk lamp", Decimal(3), Decimal("19.99"), taxes=VAT13,
                   amount_untaxed=Decimal("59.97"), amount_tax=Decimal("7.80")))


def make_invoice(reference=None, lines=LINES, **fields) -> InvoiceOut:
    untaxed = sum(l.amount_untaxed for l in lines)
    tax = sum(l.amount_tax for l in lines)
    values = dict(reference=reference or unique_ref("INV"), kind="invoice",
                  customer=Customer(reference=unique_ref("CUST"), name="Fabrikam SA"),
                  currency="EUR", invoice_date=date.today(),
                  due_date=date.today() + timedelta(days=30), lines=tuple(lines),
                  total_untaxed=untaxed, total_tax=tax, order_reference="SO2026-00042")
    values.update(fields)
    return InvoiceOut(**values)


def moves_with_ref(server, reference):
    return odoo(server, "account.move", "search_read", domain=[["ref", "=", reference]],
                fields=MOVE_FIELDS)


def test_push_invoice_posts_one_move_with_our_lines_and_totals(client, odoo_server):
    sent = make_invoice()
    pushed = client.push_invoice(sent)
    assert client.push_invoice(sent) == pushed == client.find_invoice(sent.reference)

    [move] = moves_with_ref(odoo_server, sent.reference)
    assert (move["move_type"], move["state"], move["payment_state"], move["invoice_origin"],
            move["invoice_date_due"]) == ("out_invoice", "posted", "not_paid", "SO2026-00042",
                                          sent.due_date.isoformat())
    assert [Decimal(str(move[f])) for f in ("amount_untaxed", "amount_tax", "amount_total",
                                             "amount_residual")] == [
        Decimal("491.97"), Decimal("63.96"), Decimal("555.93"), Decimal("555.93")]
    lines = odoo(odoo_server, "account.move.line", "read", ids=move["invoice_line_ids"],
                 fields=["product_id", "quantity", "price_unit", "discount", "tax_ids"])
    assert [(l["product_id"][1], l["quantity"], l["price_unit"], l["discount"])
            for l in lines] == [("Product CD-CHAIR", 4, 120.0, 10),
                                ("Product CD-LAMP", 3, 19.99, 0)]
    assert all(len(l["tax_ids"]) == 1 for l in lines)
    assert (pushed.external_id, pushed.number, pushed.kind, pushed.state, pushed.total,
            pushed.residual, pushed.payment_state, pushed.reference, pushed.due_date) == (
        str(move["id"]), move["name"], "invoice", "posted", Decimal("555.93"),
        Decimal("555.93"), "not_paid", sent.reference, sent.due_date)
    assert move["name"].startswith(f"INV/{date.today().year}/") and pushed.notes == ()


def test_a_credit_note_reverses_the_invoice_it_corrects(client, odoo_server):
    original = client.push_invoice(make_invoice())
    credit = client.push_invoice(make_invoice(
        kind="credit_note", lines=LINES[1:], corrects_number=original.number, due_date=None))
    [move] = moves_with_ref(odoo_server, credit.reference)
    assert (move["move_type"], move["reversed_entry_id"][0], move["amount_total"]) == (
        "out_refund", int(original.external_id), 67.77)
    assert (credit.kind, credit.number[:5], credit.total, credit.corrects_external_id) == (
        "credit_note", "RINV/", Decimal("67.77"), original.external_id)


def test_a_draft_left_by_a_crashed_attempt_is_posted_not_duplicated(client, odoo_server):
    sent = make_invoice()
    [product] = odoo(odoo_server, "product.product", "search",
                     domain=[["default_code", "=", "CD-LAMP"]])
    [draft_id] = odoo(odoo_server, "account.move", "create", vals_list=[{
        "move_type": "out_invoice", "partner_id": odoo_server.app.add_partner(name="Crash SA"),
        "ref": sent.reference, "invoice_line_ids": [[0, 0, {
            "product_id": product, "quantity": 1, "price_unit": 10}]]}])
    pushed = client.push_invoice(sent)
    assert pushed.external_id == str(draft_id) and pushed.state == "posted"
    assert len(moves_with_ref(odoo_server, sent.reference)) == 1
    # Odoo's totals are not ours (the draft had other lines): said, not hidden
    assert pushed.notes == ("totals differ: untaxed 10.00 there, 491.97 here; tax 0.00 "
                            "there, 63.96 here; total 10.00 there, 555.93 here",)


def test_an_order_odoo_invoices_and_its_payments_come_back(client, odoo_server):
    double = odoo_server.app
    reference = unique_ref()
    order = client.push_order(SaleOrder(
        reference=reference, customer=Customer(reference=unique_ref("CUST"), name="Contoso"),
        currency="EUR", order_date=date.today(), lines=LINES, total_untaxed=Decimal("491.97")))
    assert client.invoices_for_orders([order.external_id]) == {}
    move_id = double.invoice_order(reference)

    [invoice] = client.invoices_for_orders([order.external_id, "999999"])[order.external_id]
    assert (invoice.external_id, invoice.order_external_id, invoice.reference, invoice.state,
            invoice.total, invoice.residual) == (
        str(move_id), order.external_id, reference, "posted", Decimal("555.93"),
        Decimal("555.93"))

    double.register_payment(move_id, "100.00", date(2026, 12, 1))
    partial = client.invoice_states([invoice.external_id])[invoice.external_id]
    assert (partial.payment_state, partial.amount_paid, partial.residual,
            partial.payment_date) == ("partial", Decimal("100.00"), Decimal("455.93"),
                                      date(2026, 12, 1))
    double.register_payment(move_id, date=date(2026, 12, 3), in_payment=True)
    paid = client.invoice_states([invoice.external_id, "999999"])
    assert list(paid) == [invoice.external_id]
    assert (paid[invoice.external_id].state, paid[invoice.external_id].payment_state,
            paid[invoice.external_id].residual, paid[invoice.external_id].payment_date,
            paid[invoice.external_id].remote_state) == (
        "paid", "paid", Decimal(0), date(2026, 12, 3), "posted (in_payment)")

    refund_id = double.invoice_order(reference, refund_of=move_id)
    both = client.invoices_for_orders([order.external_id])[order.external_id]
    assert [(i.external_id, i.kind, i.corrects_external_id) for i in both] == [
        (str(move_id), "invoice", ""), (str(refund_id), "credit_note", str(move_id))]


def test_odoo_refusing_to_post_is_permanent_with_its_words(client, odoo_server):
    sent = make_invoice(invoice_date=date(2026, 1, 31))
    odoo_server.app.lock_date = date(2026, 3, 31)
    try:
        with pytest.raises(PermanentError, match="account.move.action_post refused.*"
                           "prior to and inclusive of the lock date 03/31/2026"):
            client.push_invoice(sent)
    finally:
        odoo_server.app.lock_date = None
    # the draft Odoo kept is posted by the retry once the period is open again
    [draft] = moves_with_ref(odoo_server, sent.reference)
    assert draft["state"] == "draft"
    assert client.push_invoice(sent).external_id == str(draft["id"])


def test_unavailable_odoo_is_transient_and_the_retry_creates_one_invoice(odoo_server, proxy_to):
    proxy = proxy_to(odoo_server)
    client = client_for(proxy.url)
    sent = make_invoice()
    proxy.set_mode("503")
    with pytest.raises(TransientError, match="503") as busy:
        client.push_invoice(sent)
    assert busy.value.retry_after == 1
    with pytest.raises(TransientError):
        client.invoice_states(["1"])
    proxy.set_mode("pass")
    assert client.push_invoice(sent).state == "posted"
    assert len(moves_with_ref(odoo_server, sent.reference)) == 1
