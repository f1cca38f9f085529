"""The ERPNext client's invoice calls (`Sales Invoice`) against the ERPNext
double; what they left in "ERPNext" is read back through the double's REST
API, as an ERPNext user's script would."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
import requests

from connectors.erp.erpnext import ErpNextClient
from connectors.erp.invoice_payloads import InvoiceOut
from connectors.erp.payloads import Customer, LineTax, OrderLine, SaleOrder
from connectors.errors import PermanentError, TransientError
from tests.doubles.references import unique_ref

pytest_plugins = ["tests.doubles.fixtures"]  # erpnext_server, proxy_to

TOKEN = {"Authorization": "token erp-key:erp-secret"}
FIELDS = ["name", "status", "docstatus", "is_return", "return_against", "posting_date",
          "due_date", "po_no", "net_total", "total_taxes_and_charges", "grand_total",
          "outstanding_amount", "crossdock_reference"]
VAT13 = (LineTax("VAT 13% - CTC", Decimal("13"), False, "VAT 13%"),)
LINES = (OrderLine("CD-CHAIR", "Chair, oak", Decimal(4), Decimal("120.00"), Decimal(10),
                   taxes=VAT13, amount_untaxed=Decimal("432.00"), amount_tax=Decimal("56.16")),
         OrderLine("CD-LAMP", "Desk lamp", Decimal(3), Decimal("19.99"), taxes=VAT13,
                   amount_untaxed=Decimal("59.97"), amount_tax=Decimal("7.80")))


def invoices(server, filters, fields=FIELDS):
    """Sales Invoices as Frappe's REST API lists them, independent of the client."""
    response = requests.get(f"{server.url}/api/resource/Sales Invoice", headers=TOKEN,
                            timeout=5, params={"filters": json.dumps(filters),
                                               "fields": json.dumps(fields)})
    response.raise_for_status()
    return response.json()["data"]


def client_for(url):
    return ErpNextClient(url, "", "erp-key", "erp-secret", {"warehouse": "Stores - CTC"})


@pytest.fixture
def client(erpnext_server):
    return client_for(erpnext_server.url)


def customer():
    return Customer(reference=unique_ref("CUST"), name="Fabrikam SA", tax_id=unique_ref("BE"))


def make_invoice(lines=LINES, **fields) -> InvoiceOut:
    untaxed = sum(l.amount_untaxed for l in lines)
    tax = sum(l.amount_tax for l in lines)
    values = dict(reference=unique_ref("INV"), kind="invoice", customer=customer(),
                  currency="EUR", invoice_date=date(2026, 11, 30),
                  due_date=date(2026, 12, 30), lines=tuple(lines), total_untaxed=untaxed,
                  total_tax=tax, order_reference="SO2026-00042")
    values.update(fields)
    return InvoiceOut(**values)


def test_push_invoice_submits_one_sales_invoice_with_our_totals(client, erpnext_server):
    sent = make_invoice()
    pushed = client.push_invoice(sent)
    assert client.push_invoice(sent) == pushed == client.find_invoice(sent.reference)

    [doc] = invoices(erpnext_server, [["crossdock_reference", "=", sent.reference]])
    assert (doc["docstatus"], doc["status"], doc["posting_date"], doc["due_date"],
            doc["po_no"]) == (1, "Unpaid", "2026-11-30", "2026-12-30", "SO2026-00042")
    assert [Decimal(str(doc[f])) for f in ("net_total", "total_taxes_and_charges",
                                           "grand_total", "outstanding_amount")] == [
        Decimal("491.97"), Decimal("63.96"), Decimal("555.93"), Decimal("555.93")]
    assert (pushed.external_id, pushed.number, pushed.kind, pushed.state, pushed.total,
            pushed.residual, pushed.payment_state, pushed.reference, pushed.notes) == (
        doc["name"], doc["name"], "invoice", "posted", Decimal("555.93"), Decimal("555.93"),
        "not_paid", sent.reference, ())


def test_a_credit_note_is_a_return_against_the_invoice(client, erpnext_server):
    original = client.push_invoice(make_invoice())
    credit = client.push_invoice(make_invoice(
        kind="credit_note", lines=LINES[1:], corrects_number=original.number, due_date=None))
    [doc] = invoices(erpnext_server, [["crossdock_reference", "=", credit.reference]])
    assert (doc["is_return"], doc["return_against"], doc["status"], doc["grand_total"]) == (
        1, original.external_id, "Return", -67.77)
    assert (credit.kind, credit.total, credit.total_tax, credit.corrects_external_id) == (
        "credit_note", Decimal("67.77"), Decimal("7.80"), original.external_id)
    after = client.invoice_states([original.external_id])[original.external_id]
    assert (after.residual, after.payment_state) == (Decimal("488.16"), "partial")


def test_an_order_erpnext_invoices_and_its_payments_come_back(client, erpnext_server):
    double = erpnext_server.app
    reference = unique_ref()
    order = client.push_order(SaleOrder(
        reference=reference, customer=customer(), currency="EUR", order_date=date.today(),
        lines=LINES, total_untaxed=Decimal("491.97"), total_tax=Decimal("63.96")))
    assert client.invoices_for_orders([order.external_id]) == {}
    name = double.invoice_order(reference)

    [invoice] = client.invoices_for_orders([order.external_id, "SAL-ORD-0000-99999"])[
        order.external_id]
    assert (invoice.external_id, invoice.order_external_id, invoice.state, invoice.total,
            invoice.residual) == (name, order.external_id, "posted", Decimal("555.93"),
                                  Decimal("555.93"))
    double.pay_invoice(name, "55.93", date(2026, 12, 1))
    partial = client.invoice_states([name])[name]
    assert (partial.payment_state, partial.amount_paid, partial.residual, partial.payment_date,
            partial.remote_state) == ("partial", Decimal("55.93"), Decimal("500.00"),
                                      date(2026, 12, 1), "Partly Paid")
    double.pay_invoice(name, on=date(2026, 12, 4))
    paid = client.invoice_states([name, "ACC-SINV-0000-99999"])
    assert list(paid) == [name]
    assert (paid[name].state, paid[name].payment_state, paid[name].residual,
            paid[name].payment_date) == ("paid", "paid", Decimal(0), date(2026, 12, 4))


def test_erpnext_refusals_pass_on_its_words(client, erpnext_server):
    sent = make_invoice(due_date=date(2026, 11, 1))
    with pytest.raises(PermanentError, match=r"Due Date cannot be before Posting Date"):
        client.push_invoice(sent)
    credit = make_invoice(kind="credit_note", corrects_number="ACC-SINV-2026-99999")
    with pytest.raises(PermanentError, match="Could not find Return Against: ACC-SINV-2026-99999"):
        client.push_invoice(credit)
    assert invoices(erpnext_server, [["crossdock_reference", "in",
                                      [sent.reference, credit.reference]]]) == []


def test_unavailable_erpnext_is_transient_and_the_retry_creates_one(erpnext_server, proxy_to):
    proxy = proxy_to(erpnext_server)
    client = client_for(proxy.url)
    sent = make_invoice()
    proxy.set_mode("503")
    with pytest.raises(TransientError, match="503") as busy:
        client.push_invoice(sent)
    assert busy.value.retry_after == 1
    proxy.set_mode("pass")
    assert client.push_invoice(sent).state == "posted"
    assert len(invoices(erpnext_server, [["crossdock_reference", "=", sent.reference]])) == 1
