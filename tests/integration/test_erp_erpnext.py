"""The ERPNext client against the ERPNext double (ERPNext cannot run here);
what it left in "ERPNext" is read back through the double's REST API, as an
ERPNext user's script would."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
import requests

from connectors.erp.customer_match import CustomerConflict
from connectors.erp.erpnext import ErpNextClient
from connectors.erp.payloads import Customer, LineTax, OrderLine, SaleOrder
from connectors.errors import PermanentError, TransientError
from tests.doubles.references import unique_ref

pytest_plugins = ["tests.doubles.fixtures"]  # odoo_server, erpnext_server, proxy_to

TOKEN = {"Authorization": "token erp-key:erp-secret"}


def rest(server, method, doctype, name="", **kwargs):
    """One Frappe REST call, independent of the client under test."""
    url = f"{server.url}/api/resource/{doctype}" + (f"/{name}" if name else "")
    response = requests.request(method, url, headers=TOKEN, timeout=5, **kwargs)
    response.raise_for_status()
    return response.json()["data"]


def find(server, doctype, filters, fields=("name",)):
    return rest(server, "GET", doctype, params={"filters": json.dumps(filters),
                                                "fields": json.dumps(list(fields))})


def client_for(url, secret="erp-secret", **options):
    return ErpNextClient(url, "", "erp-key", secret, {"warehouse": "Stores - CTC", **options})


def make_order(reference, customer=None, lines=None):
    return SaleOrder(
        reference=reference,
        customer=customer or Customer(reference=unique_ref("CUST"), name="Fabrikam SA",
                                      tax_id=unique_ref("BE"), email="buyer@fabrikam.example"),
        currency="EUR", order_date=date(2026, 11, 20),
        lines=lines or (OrderLine("CD-CHAIR", "Chair, oak", Decimal("4"), Decimal("120.00"),
                                  Decimal("10")),
                        OrderLine("CD-LAMP", "Desk lamp", Decimal("3"), Decimal("19.99"))),
        total_untaxed=Decimal("491.97"))


@pytest.fixture
def client(erpnext_server):
    return client_for(erpnext_server.url)


def test_push_creates_one_submitted_order_with_its_lines(client, erpnext_server):
    reference = unique_ref()
    pushed = client.push_order(make_order(reference))

    [listed] = find(erpnext_server, "Sales Order", [["po_no", "=", reference]])
    order = rest(erpnext_server, "GET", "Sales Order", listed["name"])
    assert pushed.external_id == pushed.number == order["name"]
    assert (order["docstatus"], order["status"], pushed.state) == (1, "To Deliver and Bill",
                                                                  "confirmed")
    assert Decimal(str(order["net_total"])) == pushed.total_untaxed == Decimal("491.97")
    assert (order["delivery_date"], order["set_warehouse"], order["currency"]) == (
        "2026-11-20", "Stores - CTC", "EUR")
    assert [(i["item_code"], i["qty"], i["rate"], i["discount_percentage"], i["description"])
            for i in order["items"]] == [("CD-CHAIR", 4, 108.0, 10, "Chair, oak"),
                                         ("CD-LAMP", 3, 19.99, 0, "Desk lamp")]
    customer = rest(erpnext_server, "GET", "Customer", order["customer"])
    assert customer["customer_name"] == "Fabrikam SA"


def test_retries_never_create_a_second_order(client, erpnext_server):
    reference = unique_ref()
    first = client.push_order(make_order(reference))
    assert client.push_order(make_order(reference)) == first

    # a draft with our reference (saved, never submitted) is submitted, not duplicated
    crashed = unique_ref()
    customer = rest(erpnext_server, "POST", "Customer", json={"customer_name": "Draft Co"})
    rest(erpnext_server, "POST", "Sales Order", json={
        "customer": customer["name"], "po_no": crashed, "transaction_date": "2026-11-20",
        "delivery_date": "2026-11-21", "items": [{"item_code": "CD-DESK", "qty": 1}]})
    assert client.push_order(make_order(crashed)).state == "confirmed"
    rows = find(erpnext_server, "Sales Order", [["po_no", "in", [reference, crashed]]],
                ("docstatus",))
    assert sorted(r["docstatus"] for r in rows) == [1, 1]


def test_customer_matched_by_reference_then_tax_id_then_email(client, erpnext_server):
    ref, tax, email = unique_ref("C"), unique_ref("BE"), f"{unique_ref('b')}@example.com"
    by_ref = rest(erpnext_server, "POST", "Customer", json={
        "customer_name": "By ref", "crossdock_reference": ref})["name"]
    by_tax = rest(erpnext_server, "POST", "Customer", json={
        "customer_name": "By tax", "tax_id": tax})["name"]
    by_email = rest(erpnext_server, "POST", "Customer", json={
        "customer_name": "By email", "email_id": email})["name"]
    expected = [  # each customer also carries the next keys: the earlier key must win
        (by_ref, Customer(reference=ref, name="x", tax_id=tax, email=email)),
        (by_tax, Customer(reference=unique_ref("C"), name="x", tax_id=tax, email=email)),
        (by_email, Customer(reference=unique_ref("C"), name="x", email=email)),
    ]
    for name, customer in expected:
        assert client.push_order(make_order(unique_ref(), customer)).customer_external_id == name

    new_ref = unique_ref("C")
    pushed = client.push_order(make_order(unique_ref(), Customer(
        reference=new_ref, name="By ref", tax_id=unique_ref("BE"))))  # same name as an existing one
    created = rest(erpnext_server, "GET", "Customer", pushed.customer_external_id)
    assert (created["name"], created["crossdock_reference"]) == ("By ref - 1", new_ref)


def test_unknown_items_are_named_and_nothing_is_created(client, erpnext_server):
    erpnext_server.app.add_item("CD-OLD", disabled=1)
    reference, customer_ref = unique_ref(), unique_ref("CUST")
    lines = (OrderLine("CD-CHAIR", "ok", Decimal(1), Decimal(1)),
             OrderLine("NOPE-1", "x", Decimal(1), Decimal(1)),
             OrderLine("CD-OLD", "y", Decimal(1), Decimal(1)))
    with pytest.raises(PermanentError) as refused:
        client.push_order(make_order(reference, Customer(reference=customer_ref, name="N"), lines))
    assert "NOPE-1, CD-OLD (disabled)" in str(refused.value)
    assert find(erpnext_server, "Sales Order", [["po_no", "=", reference]]) == []
    assert find(erpnext_server, "Customer", [["crossdock_reference", "=", customer_ref]]) == []


def test_erpnext_refusals_pass_on_its_words(erpnext_server):
    with pytest.raises(PermanentError, match="credentials"):
        client_for(erpnext_server.url, secret="wrong").find_order("x")
    with pytest.raises(PermanentError, match="Could not find Set Source Warehouse: Nowhere"):
        client_for(erpnext_server.url, warehouse="Nowhere").push_order(make_order(unique_ref()))
    with pytest.raises(PermanentError, match="Field not permitted in query: no_such_field"):
        client_for(erpnext_server.url, customer_reference_field="no_such_field").test_connection()
    assert "as api@example.com" in client_for(erpnext_server.url).test_connection()


def test_the_double_refuses_an_order_without_delivery_date(erpnext_server):
    """ERPNext's own rule, which is why the client always sends one."""
    customer = rest(erpnext_server, "POST", "Customer", json={"customer_name": "No Date"})
    response = requests.post(f"{erpnext_server.url}/api/resource/Sales Order", headers=TOKEN,
                             json={"customer": customer["name"], "transaction_date": "2026-11-20",
                                   "items": [{"item_code": "CD-DESK", "qty": 1}]}, timeout=5)
    assert response.status_code == 417 and response.json()["exc_type"] == "ValidationError"
    [message] = json.loads(response.json()["_server_messages"])
    assert json.loads(message)["message"] == "Please enter Delivery Date"


def test_unavailable_erpnext_is_transient_with_retry_after(erpnext_server, proxy_to):
    proxy = proxy_to(erpnext_server)
    client = client_for(proxy.url)
    proxy.set_mode("503")
    with pytest.raises(TransientError) as busy:
        client.push_order(make_order(unique_ref()))
    assert busy.value.retry_after == 1
    proxy.set_mode("refuse")
    with pytest.raises(TransientError, match="cannot connect"):
        client.find_order("x")
    proxy.set_mode("pass")
    assert client.push_order(make_order(unique_ref())).state == "confirmed"


def test_cancel_states_and_refused_cancel(client, erpnext_server):
    open_order = client.push_order(make_order(unique_ref()))
    assert client.cancel_order(open_order.external_id).state == "cancelled"
    assert client.cancel_order(open_order.external_id).state == "cancelled"  # again: fine
    assert rest(erpnext_server, "GET", "Sales Order", open_order.external_id)["docstatus"] == 2

    refs = [unique_ref() for _ in range(2)]
    names = [client.push_order(make_order(ref)).external_id for ref in refs]
    erpnext_server.app.deliver(refs[0])
    erpnext_server.app.deliver(refs[1], billed=True)
    with pytest.raises(PermanentError, match="linked with Delivery Note") as refused:
        client.cancel_order(names[0])
    assert names[0] in str(refused.value)
    states = client.order_states(names + [open_order.external_id, "SAL-ORD-0000-99999"])
    assert [states[n].state for n in names + [open_order.external_id]] == [
        "processing", "done", "cancelled"]
    assert "SAL-ORD-0000-99999" not in states


# -- which Customer an order goes to (issue 12) ---------------------------------------------

def test_a_shared_email_with_another_tax_id_is_another_customer(client, erpnext_server):
    shared = f"info@{unique_ref('dongfang')}.example.com"
    first = Customer(reference=unique_ref("CD-COMPANY"), name="杭州东方食品有限公司",
                     tax_id=unique_ref("913301"), email=shared)
    second = Customer(reference=unique_ref("CD-COMPANY"), name="北京东方食品有限公司",
                      tax_id=unique_ref("911101"), email=shared)
    one = client.push_order(make_order(unique_ref(), first))
    two = client.push_order(make_order(unique_ref(), second))

    assert two.customer_external_id != one.customer_external_id
    assert two.customer_match == "created"
    created = rest(erpnext_server, "GET", "Customer", two.customer_external_id)
    assert (created["customer_name"], created["tax_id"], created["email_id"],
            created["crossdock_reference"]) == (second.name, second.tax_id, shared,
                                                second.reference)
    order = rest(erpnext_server, "GET", "Sales Order", two.external_id)
    assert order["customer"] == two.customer_external_id


def test_a_customer_bound_to_another_of_our_records_is_never_matched(client, erpnext_server):
    email = f"{unique_ref('ops')}@example.com"
    taken = erpnext_server.app.add_customer("Bound elsewhere", email_id=email)
    customer = Customer(reference=unique_ref("C"), name="Same e-mail", email=email,
                        taken={taken: "contacts.company 71 (Bound elsewhere)"})
    pushed = client.push_order(make_order(unique_ref(), customer))
    assert pushed.customer_external_id != taken and pushed.customer_match == "created"
    assert "bound to our contacts.company 71" in " ".join(pushed.notes)


def test_an_ambiguous_match_stops_before_anything_is_created(client, erpnext_server):
    tax = unique_ref("CN")
    twins = {erpnext_server.app.add_customer(f"Twin {n} {tax}", tax_id=tax) for n in "AB"}
    reference = unique_ref()
    customer = Customer(reference=unique_ref("C"), name="Twin", tax_id=tax)
    with pytest.raises(CustomerConflict) as conflict:
        client.push_order(make_order(reference, customer))
    assert {c["external_id"] for c in conflict.value.details["candidates"]} == twins
    assert find(erpnext_server, "Sales Order", [["po_no", "=", reference]]) == []
    assert find(erpnext_server, "Customer",
                [["crossdock_reference", "=", customer.reference]]) == []


def test_void_order_takes_back_a_submitted_order(client, erpnext_server):
    reference = unique_ref()
    pushed = client.push_order(make_order(reference))
    assert "deleted in ERPNext" in client.void_order(pushed.external_id)
    assert erpnext_server.app.orders_with_po(reference) == 0
    shipped_ref = unique_ref()
    shipped = client.push_order(make_order(shipped_ref))
    erpnext_server.app.deliver(shipped_ref)
    with pytest.raises(PermanentError, match="linked with Delivery Note"):
        client.void_order(shipped.external_id)
    assert erpnext_server.app.orders_with_po(shipped_ref) == 1


# -- taxes and totals (issue 12) -----------------------------------------------------------

def taxed(code, quantity, price, head="VAT 13% - CTC", rate="13", include=False, discount="0"):
    """A line with our tax (mapped to ERPNext's account head) and our amounts."""
    from addons.sales.rules.line_amounts import line_amounts

    quantity, price, rate, discount = (Decimal(str(v)) for v in (quantity, price, rate, discount))
    amounts = line_amounts(price, quantity, discount, rate, include, 2)
    return OrderLine(code, code, quantity, price, discount,
                     taxes=(LineTax(head, rate, include, f"VAT {rate}%"),),
                     amount_untaxed=amounts.untaxed, amount_tax=amounts.tax)


def taxed_order(reference, lines):
    untaxed, tax = sum(l.amount_untaxed for l in lines), sum(l.amount_tax for l in lines)
    return replace(make_order(reference, lines=lines), total_untaxed=untaxed, total_tax=tax,
                   total=untaxed + tax)


def test_taxes_go_as_our_amounts_and_the_totals_are_ours(client, erpnext_server):
    reference = unique_ref()
    pushed = taxed_order(reference, (
        taxed("CD-CHAIR", 4, "120.00", discount="10"), taxed("CD-DESK", 1, "349.90",
                                                            "VAT 6% - CTC", "6"),
        taxed("CD-LAMP", 3, "22.59", include=True), taxed("CD-LAMP", 7, "0.35")))
    remote = client.push_order(pushed)
    order = rest(erpnext_server, "GET", "Sales Order", remote.external_id)
    ours = (pushed.total_untaxed, pushed.total_tax, pushed.total)
    assert tuple(Decimal(str(order[k])) for k in ("net_total", "total_taxes_and_charges",
                                                 "grand_total")) == ours
    assert (remote.total_untaxed, remote.total_tax, remote.total) == ours
    assert [(t["charge_type"], t["account_head"], Decimal(str(t["tax_amount"])))
            for t in order["taxes"]] == [
        ("Actual", "VAT 13% - CTC", sum(l.amount_tax for l in pushed.lines
                                        if l.taxes[0].code == "VAT 13% - CTC")),
        ("Actual", "VAT 6% - CTC", pushed.lines[1].amount_tax)]
    assert [Decimal(str(i["amount"])) for i in order["items"]] == [
        l.amount_untaxed for l in pushed.lines]


def test_an_unknown_tax_account_is_named_and_nothing_is_created(client, erpnext_server):
    reference = unique_ref()
    wrong = taxed_order(reference, (taxed("CD-CHAIR", 1, "120", "VAT 13%"),
                                    taxed("CD-DESK", 1, "10", "Duties and Taxes - CTC")))
    with pytest.raises(PermanentError, match="no tax account .* named Duties and Taxes - CTC, "
                                             "VAT 13%; map our taxes") as refused:
        client.push_order(wrong)
    assert "tax_codes" in str(refused.value)
    assert find(erpnext_server, "Sales Order", [["po_no", "=", reference]]) == []
