"""The Odoo client against the Odoo double (Odoo cannot run here), over both
wire protocols; what it left in "Odoo" is read back through the double's
JSON-2 API, as an Odoo user's script would."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
import requests

from connectors.erp.customer_match import CustomerConflict
from connectors.erp.odoo import OdooClient
from connectors.erp.payloads import Address, Customer, LineTax, OrderLine, SaleOrder
from connectors.errors import PermanentError, TransientError
from tests.doubles.references import unique_ref

pytest_plugins = ["tests.doubles.fixtures"]  # odoo_server, erpnext_server, proxy_to

KEY = "odoo-test-key"


def odoo(server, model, method, **params):
    """One JSON-2 call, independent of the client under test."""
    response = requests.post(f"{server.url}/json/2/{model}/{method}", json=params,
                             headers={"Authorization": f"bearer {KEY}"}, timeout=5)
    response.raise_for_status()
    return response.json()


def client_for(url, protocol="json2", secret=None):
    default = KEY if protocol == "json2" else "admin"
    return OdooClient(url, "odoo", "admin", secret or default, {"protocol": protocol})


def make_order(reference, customer=None, lines=None):
    return SaleOrder(
        reference=reference,
        customer=customer or Customer(reference=unique_ref("CUST"), name="Fabrikam SA",
                                      address=Address(country_code="be")),
        currency="EUR", order_date=date(2026, 11, 20),
        lines=lines or (OrderLine("CD-CHAIR", "Chair, oak", Decimal("4"), Decimal("120.00"),
                                  Decimal("10")),
                        OrderLine("CD-LAMP", "Desk lamp", Decimal("3"), Decimal("19.99"))),
        total_untaxed=Decimal("491.97"))


@pytest.fixture(params=["json2", "jsonrpc"])
def client(request, odoo_server):
    return client_for(odoo_server.url, request.param)


def test_push_creates_one_confirmed_order_with_its_lines(client, odoo_server):
    reference = unique_ref()
    pushed = client.push_order(make_order(reference))

    [order] = odoo(odoo_server, "sale.order", "search_read",
                   domain=[["client_order_ref", "=", reference]],
                   fields=["name", "state", "amount_untaxed", "partner_id", "order_line"])
    assert (pushed.external_id, pushed.number) == (str(order["id"]), order["name"])
    assert order["state"] == "sale" and pushed.state == "confirmed"
    assert Decimal(str(order["amount_untaxed"])) == pushed.total_untaxed == Decimal("491.97")
    lines = odoo(odoo_server, "sale.order.line", "read", ids=order["order_line"],
                 fields=["product_id", "product_uom_qty", "price_unit", "discount", "name"])
    assert [(line["product_id"][1], line["product_uom_qty"], line["price_unit"],
             line["discount"], line["name"]) for line in lines] == [
        ("Product CD-CHAIR", 4, 120.0, 10, "Chair, oak"), ("Product CD-LAMP", 3, 19.99, 0, "Desk lamp")]
    [partner] = odoo(odoo_server, "res.partner", "read", ids=[order["partner_id"][0]],
                     fields=["name", "country_id"])
    assert (partner["name"], partner["country_id"][1]) == ("Fabrikam SA", "BE")


def test_retries_never_create_a_second_order(client, odoo_server):
    reference = unique_ref()
    first = client.push_order(make_order(reference))
    assert client.push_order(make_order(reference)) == first
    assert client.find_order(reference) == first

    # a worker killed between create and confirm left a draft: the retry confirms that one
    crashed = unique_ref()
    partner = odoo(odoo_server, "res.partner", "create", vals_list=[{"name": "Draft Co"}])[0]
    product = odoo(odoo_server, "product.product", "search",
                   domain=[["default_code", "=", "CD-DESK"]])[0]
    draft_id = odoo(odoo_server, "sale.order", "create", vals_list=[{
        "partner_id": partner, "client_order_ref": crashed,
        "order_line": [[0, 0, {"product_id": product, "product_uom_qty": 1}]]}])[0]
    assert client.push_order(make_order(crashed)).external_id == str(draft_id)
    found = odoo(odoo_server, "sale.order", "search_read",
                 domain=[["client_order_ref", "in", [reference, crashed]]], fields=["state"])
    assert sorted(o["state"] for o in found) == ["sale", "sale"]


def test_customer_matched_by_reference_then_tax_id_then_email(odoo_server):
    client = client_for(odoo_server.url)
    ref, vat, email = unique_ref("C"), unique_ref("BE"), f"{unique_ref('buyer')}@example.com"
    by_ref, by_vat, by_email = odoo(odoo_server, "res.partner", "create", vals_list=[
        {"name": "By ref", "ref": ref, "vat": unique_ref("BE")},
        {"name": "By vat", "vat": vat},
        {"name": "By email", "email": email.upper()}])
    expected = [  # each customer also carries the next keys: the earlier key must win
        (by_ref, Customer(reference=ref, name="x", tax_id=vat, email=email)),
        (by_vat, Customer(reference=unique_ref("C"), name="x", tax_id=vat, email=email)),
        (by_email, Customer(reference=unique_ref("C"), name="x", email=email)),
    ]
    for partner_id, customer in expected:
        pushed = client.push_order(make_order(unique_ref(), customer))
        assert pushed.customer_external_id == str(partner_id), customer

    # "_" is a LIKE wildcard: a look-alike address must not match, a new partner is made
    lookalike = f"a{unique_ref('x')}@example.com"
    odoo(odoo_server, "res.partner", "create", vals_list=[{"name": "Look", "email": lookalike}])
    new_ref = unique_ref("C")
    pushed = client.push_order(make_order(unique_ref(), Customer(
        reference=new_ref, name="New Buyer", email="_" + lookalike[1:])))
    [created] = odoo(odoo_server, "res.partner", "read",
                     ids=[int(pushed.customer_external_id)], fields=["name", "ref", "email"])
    assert (created["name"], created["ref"], created["email"]) == (
        "New Buyer", new_ref, "_" + lookalike[1:])


def test_unknown_products_are_named_and_nothing_is_created(client, odoo_server):
    reference = unique_ref()
    customer = Customer(reference=unique_ref("CUST"), name="Nobody Ltd")
    lines = (OrderLine("CD-CHAIR", "ok", Decimal(1), Decimal(1)),
             OrderLine("NOPE-1", "x", Decimal(1), Decimal(1)),
             OrderLine("NOPE-2", "y", Decimal(1), Decimal(1)))
    with pytest.raises(PermanentError) as refused:
        client.push_order(make_order(reference, customer, lines))
    assert "NOPE-1, NOPE-2" in str(refused.value) and "CD-CHAIR" not in str(refused.value)
    assert odoo(odoo_server, "sale.order", "search",
                domain=[["client_order_ref", "=", reference]]) == []
    assert odoo(odoo_server, "res.partner", "search",
                domain=[["ref", "=", customer.reference]]) == []


@pytest.mark.parametrize("protocol", ["json2", "jsonrpc"])
def test_wrong_credentials_are_permanent_and_say_so(odoo_server, protocol):
    client = client_for(odoo_server.url, protocol, secret="wrong")
    with pytest.raises(PermanentError, match="credentials"):
        client.find_order("anything")
    with pytest.raises(PermanentError, match="database"):
        OdooClient(odoo_server.url, "other-db", "admin", KEY, {}).test_connection()
    assert "Odoo 19.0" in client_for(odoo_server.url, protocol).test_connection()


def test_unavailable_odoo_is_transient_with_retry_after(odoo_server, proxy_to):
    proxy = proxy_to(odoo_server)
    client = client_for(proxy.url)
    proxy.set_mode("503")
    with pytest.raises(TransientError) as busy:
        client.push_order(make_order(unique_ref()))
    assert busy.value.retry_after == 1 and "503" in str(busy.value)
    proxy.set_mode("429", retry_after=30)
    with pytest.raises(TransientError) as limited:
        client.find_order("x")
    assert limited.value.retry_after == 30
    proxy.set_mode("refuse")
    with pytest.raises(TransientError, match="cannot connect"):
        client.find_order("x")
    proxy.set_mode("pass")
    assert client.push_order(make_order(unique_ref())).state == "confirmed"


def test_cancel_and_refused_cancel(client, odoo_server):
    open_order = client.push_order(make_order(unique_ref()))
    assert client.cancel_order(open_order.external_id).state == "cancelled"
    assert client.cancel_order(open_order.external_id).state == "cancelled"  # again: fine
    [row] = odoo(odoo_server, "sale.order", "read", ids=[int(open_order.external_id)],
                 fields=["state"])
    assert row["state"] == "cancel"

    shipped_ref = unique_ref()
    shipped = client.push_order(make_order(shipped_ref))
    odoo_server.app.set_delivered(shipped_ref)
    with pytest.raises(PermanentError, match="locked order") as refused:
        client.cancel_order(shipped.external_id)
    assert shipped.number in str(refused.value)
    [row] = odoo(odoo_server, "sale.order", "read", ids=[int(shipped.external_id)],
                 fields=["state"])
    assert row["state"] == "sale"


def test_order_states_follow_delivery_and_invoicing(odoo_server):
    client = client_for(odoo_server.url)
    refs = [unique_ref() for _ in range(3)]
    ids = [client.push_order(make_order(ref)).external_id for ref in refs]
    odoo_server.app.set_delivered(refs[1])
    odoo_server.app.set_delivered(refs[2], invoiced=True)
    states = client.order_states(ids + ["999999"])
    assert [states[i].state for i in ids] == ["confirmed", "processing", "done"]
    assert "999999" not in states
    assert "delivery full" in states[ids[1]].remote_state


# -- which partner an order goes to (issue 12) ---------------------------------------------

def _partner_of(server, order_id):
    [row] = odoo(server, "sale.order", "read", ids=[int(order_id)], fields=["partner_id"])
    return row["partner_id"][0]


def test_a_shared_email_with_another_tax_id_is_another_customer(odoo_server):
    """Two companies of ours share info@...: the second one's order must not be
    booked under the first one's partner because the e-mails match."""
    client = client_for(odoo_server.url)
    shared = f"info@{unique_ref('dongfang')}.example.com"
    first = Customer(reference=unique_ref("CD-COMPANY"), name="杭州东方食品有限公司",
                     tax_id=unique_ref("913301"), email=shared)
    second = Customer(reference=unique_ref("CD-COMPANY"), name="北京东方食品有限公司",
                      tax_id=unique_ref("911101"), email=shared)
    one = client.push_order(make_order(unique_ref(), first))
    two = client.push_order(make_order(unique_ref(), second))

    assert two.customer_external_id != one.customer_external_id
    assert two.customer_match == "created" and "not matched" in " ".join(two.notes)
    [partner] = odoo(odoo_server, "res.partner", "read", ids=[int(two.customer_external_id)],
                     fields=["name", "ref", "vat", "email"])
    assert (partner["name"], partner["ref"], partner["vat"], partner["email"]) == (
        second.name, second.reference, second.tax_id, shared)
    assert _partner_of(odoo_server, two.external_id) == int(two.customer_external_id)
    # no tax id on our side: two partners with that e-mail cannot be told apart...
    plain = Customer(reference=unique_ref("C"), name="Walk-in", email=shared.upper())
    with pytest.raises(CustomerConflict, match="2 remote customers have the same e-mail"):
        client.push_order(make_order(unique_ref(), plain))
    # ...and both carry another reference of ours: neither is this customer
    ours = replace(plain, reference_prefixes=("CD-COMPANY-",))
    assert client.push_order(make_order(unique_ref(), ours)).customer_match == "created"


def test_a_partner_bound_to_another_of_our_records_is_never_matched(odoo_server):
    client = client_for(odoo_server.url)
    phone = f"+86 21 {int(unique_ref('')[-6:], 16):08d}"
    taken = odoo_server.app.add_partner(name="Bound elsewhere", phone=phone)
    customer = Customer(reference=unique_ref("C"), name="Same phone, other company",
                        phone=phone, taken={str(taken): "contacts.company 71 (Bound)"})
    pushed = client.push_order(make_order(unique_ref(), customer))
    assert pushed.customer_external_id != str(taken) and pushed.customer_match == "created"
    # not bound to anyone, it is found by the phone (the partner just created
    # carries another reference of ours, so it is not a second candidate)
    again = Customer(reference=unique_ref("C"), name="Same phone", phone=phone,
                     reference_prefixes=("C-",))
    found = client.push_order(make_order(unique_ref(), again))
    assert (found.customer_external_id, found.customer_match) == (str(taken), "phone")


def test_an_ambiguous_match_stops_before_anything_is_created(odoo_server):
    client = client_for(odoo_server.url)
    vat = unique_ref("CN")
    a = odoo_server.app.add_partner(name="Twin A", vat=vat)
    b = odoo_server.app.add_partner(name="Twin B", vat=vat)
    reference = unique_ref()
    customer = Customer(reference=unique_ref("C"), name="Twin", tax_id=vat)
    with pytest.raises(CustomerConflict) as conflict:
        client.push_order(make_order(reference, customer))
    assert f"2 remote customers have tax id {vat}" in str(conflict.value)
    assert {c["external_id"] for c in conflict.value.details["candidates"]} == {str(a), str(b)}
    assert odoo(odoo_server, "sale.order", "search",
                domain=[["client_order_ref", "=", reference]]) == []
    assert odoo(odoo_server, "res.partner", "search",
                domain=[["ref", "=", customer.reference]]) == []
    # a person chose to create a new one
    pushed = client.push_order(make_order(reference, replace(customer, create_new=True)))
    assert pushed.customer_external_id not in (str(a), str(b))


def test_void_order_takes_back_a_confirmed_order(client, odoo_server):
    reference = unique_ref()
    pushed = client.push_order(make_order(reference))
    assert "deleted in Odoo" in client.void_order(pushed.external_id)
    assert odoo_server.app.orders_with_reference(reference) == 0
    shipped_ref = unique_ref()
    shipped = client.push_order(make_order(shipped_ref))
    odoo_server.app.set_delivered(shipped_ref)
    with pytest.raises(PermanentError, match="locked order"):
        client.void_order(shipped.external_id)
    assert odoo_server.app.orders_with_reference(shipped_ref) == 1


# -- taxes and totals (issue 12) -----------------------------------------------------------

def taxed(code, quantity, price, tax="VAT 13%", rate="13", include=False, discount="0"):
    """A line with our tax and our rounded amounts (rules/line_amounts.py)."""
    from addons.sales.rules.line_amounts import line_amounts

    quantity, price, rate, discount = (Decimal(str(v)) for v in (quantity, price, rate, discount))
    amounts = line_amounts(price, quantity, discount, rate, include, 2)
    return OrderLine(code, code, quantity, price, discount,
                     taxes=(LineTax(tax, rate, include, tax),),
                     amount_untaxed=amounts.untaxed, amount_tax=amounts.tax)


def taxed_order(reference, lines):
    untaxed, tax = sum(l.amount_untaxed for l in lines), sum(l.amount_tax for l in lines)
    return replace(make_order(reference, lines=lines), total_untaxed=untaxed, total_tax=tax,
                   total=untaxed + tax)


def test_taxes_go_on_each_line_and_the_totals_are_ours(client, odoo_server):
    reference = unique_ref()
    pushed = taxed_order(reference, (
        taxed("CD-CHAIR", 4, "120.00", discount="10"), taxed("CD-DESK", 1, "349.90", "VAT 6%", "6"),
        taxed("CD-LAMP", 3, "22.59", "VAT 13% incl.", "13", include=True)))
    remote = client.push_order(pushed)
    [order] = odoo(odoo_server, "sale.order", "search_read",
                   domain=[["client_order_ref", "=", reference]],
                   fields=["amount_untaxed", "amount_tax", "amount_total", "order_line"])
    ours = (pushed.total_untaxed, pushed.total_tax, pushed.total)
    assert tuple(Decimal(str(order[k])).quantize(Decimal("0.01")) for k in (
        "amount_untaxed", "amount_tax", "amount_total")) == ours == (
        remote.total_untaxed, remote.total_tax, remote.total)
    taxes = {t["id"]: t["name"] for t in odoo(odoo_server, "account.tax", "search_read",
                                               domain=[], fields=["name"])}
    lines = odoo(odoo_server, "sale.order.line", "read", ids=order["order_line"],
                 fields=["product_id", "price_unit", "tax_ids", "price_subtotal", "price_tax"])
    assert [(l["product_id"][1], l["price_unit"], [taxes[i] for i in l["tax_ids"]],
             Decimal(str(l["price_subtotal"])), Decimal(str(l["price_tax"]))) for l in lines] == [
        (f"Product {p.product_code}", float(p.unit_price), [p.taxes[0].code],
         p.amount_untaxed, p.amount_tax) for p in pushed.lines]


def test_a_missing_or_different_tax_is_named_and_nothing_is_created(client, odoo_server):
    reference = unique_ref()
    wrong = taxed_order(reference, (taxed("CD-CHAIR", 1, "120", "VAT 17%", "17"),
                                    taxed("CD-DESK", 1, "349.90", "VAT 13%", "13", include=True)))
    with pytest.raises(PermanentError) as refused:
        client.push_order(wrong)
    assert "no sales tax named 'VAT 17%'" in str(refused.value)
    assert "tax 'VAT 13%' is percent 13, not our VAT 13% (13%, price included)" in str(
        refused.value)
    assert odoo_server.app.orders_with_reference(reference) == 0
