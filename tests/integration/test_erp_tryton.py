"""TrytonClient against a real Tryton 8.2 server (the `tryton` fixture).

Every outcome is read back through Tryton's own JSON-RPC (`tryton.rpc` /
`tryton.search_read`, independent of the client under test).
"""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from connectors.erp.payloads import Address, Customer, OrderLine, SaleOrder
from connectors.erp.tryton import TrytonClient
from connectors.errors import PermanentError, TransientError


def client(tryton, **overrides) -> TrytonClient:
    args = dict(url=tryton.url, database=tryton.database, username=tryton.username,
                secret=tryton.password)
    args.update(overrides)
    return TrytonClient(args["url"], args["database"], args["username"], args["secret"], {})


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def customer(**fields) -> Customer:
    values = dict(reference=unique("CD-COMPANY"), name="Shanghai Cold Chain Ltd",
                  tax_id=unique("9131"), email=f"{unique('buyer')}@coldchain.example",
                  phone="+86 21 5555 0101",
                  address=Address("88 Century Avenue", "Shanghai", "200120", "CN"))
    values.update(fields)
    return Customer(**values)


def order(lines=None, cust=None, currency="CNY", reference=None) -> SaleOrder:
    lines = lines or (
        OrderLine("CD-HS100", "Handheld barcode scanner", Decimal(3), Decimal("1280.00")),
        OrderLine("CD-TS30", "Cold-chain sensor", Decimal(20), Decimal("320.00"), Decimal(10)),
        OrderLine("CD-IMPL", "Implementation (person-day)", Decimal(2), Decimal("2500.00")),
    )
    total = sum(l.quantity * l.unit_price * (1 - l.discount_percent / 100) for l in lines)
    return SaleOrder(reference=reference or unique("SO"), customer=cust or customer(),
                     currency=currency, order_date=date.today(), lines=tuple(lines),
                     total_untaxed=total)


def sales_with_reference(tryton, reference):
    return tryton.search_read("sale.sale", [("reference", "=", reference)],
                              ["number", "state", "party", "untaxed_amount", "currency.code"])


def test_push_order_creates_one_confirmed_sale_with_our_lines(tryton):
    pushed = order(currency="USD")
    remote = client(tryton).push_order(pushed)

    sale, = sales_with_reference(tryton, pushed.reference)
    assert (sale["state"], sale["currency."]["code"]) == ("confirmed", "USD")
    assert (remote.external_id, remote.number, remote.state) == (
        str(sale["id"]), sale["number"], "confirmed")
    lines = tryton.search_read("sale.line", [("sale", "=", sale["id"])],
                               ["product.code", "quantity", "unit.name", "unit_price"])
    assert sorted((l["product."]["code"], l["quantity"], l["unit."]["name"], l["unit_price"])
                  for l in lines) == [
        ("CD-HS100", 3.0, "Unit", Decimal("1280.00")),
        ("CD-IMPL", 2.0, "Unit", Decimal("2500.00")),
        ("CD-TS30", 20.0, "Unit", Decimal("288.00")),  # 10% off 320
    ]
    assert sale["untaxed_amount"] == pushed.total_untaxed == remote.total_untaxed


def test_push_again_returns_the_same_sale(tryton):
    pushed = order()
    first = client(tryton).push_order(pushed)
    again = client(tryton).push_order(pushed)
    assert again.external_id == first.external_id
    assert len(sales_with_reference(tryton, pushed.reference)) == 1


def test_a_draft_left_by_a_crashed_attempt_is_confirmed_not_duplicated(tryton):
    pushed = order()
    party_id, = tryton.rpc("model.party.party.create", [{"name": "Crash Test Co."}])
    address_id, = tryton.rpc("model.party.address.create", [{"party": party_id}])
    currency = tryton.search_read("currency.currency", [("code", "=", "CNY")], ["id"])[0]["id"]
    draft_id, = tryton.rpc("model.sale.sale.create", [{
        "party": party_id, "invoice_address": address_id, "shipment_address": address_id,
        "currency": currency, "reference": pushed.reference, "company": 1,
        "lines": [["create", [{"type": "line", "product": 1, "quantity": 1.0, "unit": 1,
                               "unit_price": Decimal("1280")}]]]}])

    remote = client(tryton).push_order(pushed)

    sale, = sales_with_reference(tryton, pushed.reference)
    assert (remote.external_id, sale["id"], sale["state"]) == (str(draft_id), draft_id, "confirmed")


@pytest.mark.parametrize("matched_by", ["reference", "tax_id", "email"])
def test_customer_is_matched_not_duplicated(tryton, matched_by):
    known = customer()
    first = client(tryton).push_order(order(cust=known))
    # the same company as another record on our side: only one field in common
    other = customer(name="Renamed on our side")
    same = {"reference": known.reference, "tax_id": known.tax_id, "email": known.email}
    second = client(tryton).push_order(order(cust=Customer(**{
        **other.__dict__, matched_by: same[matched_by]})))
    assert second.customer_external_id == first.customer_external_id
    assert len(tryton.search_read("party.party", [("code", "=", known.reference)], ["id"])) == 1


def test_new_customer_is_created_with_address_tax_id_and_email(tryton):
    new = customer()
    remote = client(tryton).push_order(order(cust=new))
    party, = tryton.search_read("party.party", [("id", "=", int(remote.customer_external_id))], [
        "code", "name", "identifiers.code", "contact_mechanisms.value",
        "addresses.city", "addresses.country.code"])
    assert (party["code"], party["name"]) == (new.reference, new.name)
    assert [i["code"] for i in party["identifiers."]] == [new.tax_id]
    assert new.email in [m["value"] for m in party["contact_mechanisms."]]
    assert [(a["city"], a["country."]["code"]) for a in party["addresses."]] == [
        ("Shanghai", "CN")]


def test_unknown_products_are_named_and_nothing_is_created(tryton):
    pushed = order(lines=(
        OrderLine("TEST-A", "A", Decimal(1), Decimal("10")),
        OrderLine("NO-SUCH-1", "?", Decimal(1), Decimal("10")),
        OrderLine("NO-SUCH-2", "?", Decimal(1), Decimal("10"))))
    with pytest.raises(PermanentError, match="unknown product code.*NO-SUCH-1, NO-SUCH-2"):
        client(tryton).push_order(pushed)
    assert sales_with_reference(tryton, pushed.reference) == []
    assert tryton.search_read("party.party", [("code", "=", pushed.customer.reference)],
                              ["id"]) == []


def test_tryton_validation_message_is_passed_on(tryton):
    # the unit "Unit" takes no fractions: Tryton's own words reach the user
    pushed = order(lines=(OrderLine("TEST-B", "B", Decimal("1.5"), Decimal("25.50")),))
    with pytest.raises(PermanentError, match='"Quantity".*exceeds the limit'):
        client(tryton).push_order(pushed)


def test_credentials_and_database_errors_say_what_is_wrong(tryton):
    with pytest.raises(PermanentError, match="wrong user or password for Tryton database shop"):
        client(tryton, secret="not-the-password").test_connection()
    with pytest.raises(PermanentError, match="no such database"):
        client(tryton, database="nosuch").test_connection()
    assert client(tryton).test_connection() == (
        "Tryton 8.2 database shop as admin, company Crossdock Demo Trading")


def test_server_down_is_transient_and_push_works_once_it_is_back(tryton):
    pushed = order()
    tryton.stop()
    try:
        with pytest.raises(TransientError, match="cannot connect.*connection refused"):
            client(tryton).push_order(pushed)
    finally:
        tryton.start()
    assert client(tryton).push_order(pushed).state == "confirmed"


def test_cancel_confirmed_order_and_refuse_once_processing(tryton):
    erp = client(tryton)
    to_cancel = order()
    cancelled = erp.push_order(to_cancel)
    shipping = erp.push_order(order())
    tryton.rpc("model.sale.sale.process", [int(shipping.external_id)])  # shipping starts

    assert erp.cancel_order(cancelled.external_id).state == "cancelled"
    with pytest.raises(PermanentError, match="already being delivered/invoiced"):
        erp.cancel_order(shipping.external_id)

    states = {s["id"]: s["state"] for s in tryton.search_read(
        "sale.sale", [("id", "in", [int(cancelled.external_id), int(shipping.external_id)])],
        ["state"])}
    assert states == {int(cancelled.external_id): "cancelled",
                      int(shipping.external_id): "processing"}
    # pushing the cancelled order again does not silently create a new sale
    with pytest.raises(PermanentError, match="was cancelled in Tryton"):
        erp.push_order(to_cancel)
    assert len(sales_with_reference(tryton, to_cancel.reference)) == 1


def test_order_states_reads_current_states(tryton):
    erp = client(tryton)
    confirmed = erp.push_order(order())
    processing = erp.push_order(order())
    tryton.rpc("model.sale.sale.process", [int(processing.external_id)])

    states = erp.order_states([confirmed.external_id, processing.external_id, "999999"])

    assert {i: (r.state, r.remote_state) for i, r in states.items()} == {
        confirmed.external_id: ("confirmed", "confirmed"),
        processing.external_id: ("processing", "processing")}
