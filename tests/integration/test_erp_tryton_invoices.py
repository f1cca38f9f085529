"""TrytonClient's invoice calls against a real Tryton 8.2 server (the
session's `tryton` fixture, shared with test_erp_tryton.py).

Every outcome is read back through Tryton's own JSON-RPC (`tryton.rpc` /
`tryton.search_read`); payments are made as a Tryton user makes them, with
the `account.invoice.pay` wizard (`tryton.pay_invoice`).
"""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from connectors.erp.invoice_payloads import InvoiceOut
from connectors.erp.payloads import Address, Customer, LineTax, OrderLine, SaleOrder
from connectors.erp.tryton import TrytonClient
from connectors.errors import PermanentError

INVOICE_FIELDS = ["number", "reference", "type", "state", "party.code", "invoice_date",
                  "currency.code", "untaxed_amount", "tax_amount", "total_amount",
                  "amount_to_pay", "description", "lines_to_pay.maturity_date"]


def client(tryton) -> TrytonClient:
    return TrytonClient(tryton.url, tryton.database, tryton.username, tryton.password, {})


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def customer() -> Customer:
    return Customer(reference=unique("CD-COMPANY"), name="Ningbo Harbour Logistics Ltd",
                    tax_id=unique("9133"), email=f"{unique('ap')}@harbour.example",
                    address=Address("8 Zhongshan Road", "Ningbo", "315000", "CN"))


def taxed(code, quantity, price, tax="VAT 13%", rate="13"):
    """A line with our tax and our rounded amounts (rules/line_amounts.py)."""
    from addons.sales.rules.line_amounts import line_amounts

    quantity, price, rate = Decimal(str(quantity)), Decimal(price), Decimal(rate)
    amounts = line_amounts(price, quantity, Decimal(0), rate, False, 2)
    return OrderLine(code, f"{code} x {quantity}", quantity, price,
                     taxes=(LineTax(tax, rate, False, tax),),
                     amount_untaxed=amounts.untaxed, amount_tax=amounts.tax)


LINES = (taxed("CD-HS100", 3, "1280.00"), taxed("CD-IMPL", 2, "2500.00", "VAT 6%", "6"),
         taxed("TEST-A", 5, "0.0050"))


def invoice(lines=LINES, cust=None, **fields) -> InvoiceOut:
    untaxed = sum(l.amount_untaxed for l in lines)
    tax = sum(l.amount_tax for l in lines)
    values = dict(reference=unique("INV"), kind="invoice", customer=cust or customer(),
                  currency="CNY", invoice_date=date.today(),
                  due_date=date.today() + timedelta(days=30), lines=tuple(lines),
                  total_untaxed=untaxed, total_tax=tax, total=untaxed + tax)
    values.update(fields)
    return InvoiceOut(**values)


def invoices_with_reference(tryton, reference):
    return tryton.search_read("account.invoice", [("reference", "=", reference)],
                              INVOICE_FIELDS)


def test_push_invoice_posts_one_invoice_with_our_lines_taxes_and_totals(tryton):
    sent = invoice()
    pushed = client(tryton).push_invoice(sent)
    again = client(tryton).push_invoice(sent)  # a retry after a lost answer

    got, = invoices_with_reference(tryton, sent.reference)
    assert again == pushed and client(tryton).find_invoice(sent.reference) == pushed
    assert (got["type"], got["state"], got["party."]["code"], got["currency."]["code"],
            got["invoice_date"]["day"]) == ("out", "posted", sent.customer.reference, "CNY",
                                            date.today().day)
    assert (got["untaxed_amount"], got["tax_amount"], got["total_amount"]) == (
        Decimal("8840.03"), Decimal("799.20"), Decimal("9639.23")) == (
        sent.total_untaxed, sent.total_tax, sent.total)
    assert [l["maturity_date"]["day"] for l in got["lines_to_pay."]] == [sent.due_date.day]
    lines = tryton.search_read("account.invoice.line", [("invoice", "=", got["id"])],
                               ["product.code", "quantity", "unit_price", "amount",
                                "taxes.name", "account.code"])
    assert sorted((l["product."]["code"], l["quantity"], l["unit_price"], l["amount"],
                   [t["name"] for t in l["taxes."]]) for l in lines) == [
        ("CD-HS100", 3.0, Decimal("1280.0000"), Decimal("3840.00"), ["VAT 13%"]),
        ("CD-IMPL", 2.0, Decimal("2500.0000"), Decimal("5000.00"), ["VAT 6%"]),
        ("TEST-A", 5.0, Decimal("0.0051"), Decimal("0.03"), ["VAT 13%"]),  # half-even otherwise
    ]
    assert (pushed.external_id, pushed.number, pushed.kind, pushed.state, pushed.reference) == (
        str(got["id"]), got["number"], "invoice", "posted", sent.reference)
    assert (pushed.total_untaxed, pushed.total_tax, pushed.total, pushed.residual,
            pushed.amount_paid, pushed.payment_state, pushed.due_date) == (
        sent.total_untaxed, sent.total_tax, sent.total, sent.total, Decimal(0), "not_paid",
        sent.due_date)
    assert pushed.customer_match == "created" and pushed.notes == ()


def test_a_credit_note_names_the_invoice_it_corrects(tryton):
    erp = client(tryton)
    original = erp.push_invoice(invoice())
    credit = invoice(lines=(taxed("CD-HS100", 1, "1280.00"),), kind="credit_note",
                     reference=unique("CN"), corrects_external_id=original.external_id,
                     corrects_number=original.number, due_date=None)
    pushed = erp.push_invoice(credit)

    got, = invoices_with_reference(tryton, credit.reference)
    assert (got["state"], got["total_amount"], got["amount_to_pay"]) == (
        "posted", Decimal("-1446.40"), Decimal("-1446.40"))
    assert got["description"] == f"Credit note for {original.number}"
    assert (pushed.kind, pushed.total_untaxed, pushed.total_tax, pushed.total,
            pushed.residual, pushed.corrects_external_id) == (
        "credit_note", Decimal("1280.00"), Decimal("166.40"), Decimal("1446.40"),
        Decimal("1446.40"), original.external_id)


def test_unknown_products_are_named_and_nothing_is_created(tryton):
    sent = invoice(lines=(taxed("NO-SUCH-9", 1, "10.00"),))
    with pytest.raises(PermanentError, match="unknown product code.*NO-SUCH-9"):
        client(tryton).push_invoice(sent)
    assert invoices_with_reference(tryton, sent.reference) == []
    assert client(tryton).find_invoice(sent.reference) is None


def test_a_sale_tryton_invoices_is_found_and_its_payments_come_back(tryton):
    """The ERP-invoices mode: a synced sale, processed in Tryton, invoiced by
    Tryton itself (invoice method "order"); the invoice posted and paid in
    two payments there, then credited; Crossdock sees each step."""
    erp = client(tryton)
    lines = LINES[:2]
    untaxed, tax = (sum(getattr(l, f) for l in lines) for f in ("amount_untaxed", "amount_tax"))
    sale = erp.push_order(SaleOrder(reference=unique("SO"), customer=customer(),
                                    currency="CNY", order_date=date.today(), lines=lines,
                                    total_untaxed=untaxed, total_tax=tax))
    assert erp.invoices_for_orders([sale.external_id]) == {}
    tryton.rpc("model.sale.sale.process", [int(sale.external_id)])

    found = erp.invoices_for_orders([sale.external_id, "999999"])
    draft, = found[sale.external_id]
    assert (draft.state, draft.kind, draft.order_external_id, draft.reference, draft.number) == (
        "draft", "invoice", sale.external_id, "", "")
    assert (draft.total_untaxed, draft.total_tax, draft.total) == (
        Decimal("8840.00"), Decimal("799.20"), Decimal("9639.20"))

    invoice_id = int(draft.external_id)
    tryton.rpc("model.account.invoice.post", [invoice_id])
    tryton.pay_invoice(invoice_id, Decimal("1000.00"))
    partial = erp.invoice_states([draft.external_id])[draft.external_id]
    assert (partial.state, partial.payment_state, partial.amount_paid, partial.residual,
            partial.payment_date) == ("posted", "partial", Decimal("1000.00"),
                                      Decimal("8639.20"), date.today())

    tryton.pay_invoice(invoice_id)  # the rest
    paid = erp.invoice_states([draft.external_id, "999999"])
    assert list(paid) == [draft.external_id]
    assert (paid[draft.external_id].state, paid[draft.external_id].payment_state,
            paid[draft.external_id].residual, paid[draft.external_id].amount_paid,
            paid[draft.external_id].payment_date) == (
        "paid", "paid", Decimal(0), Decimal("9639.20"), date.today())
    tryton.rpc("model.account.invoice.process", [invoice_id])  # what Tryton's queue does next
    tryton.credit_invoice(invoice_id)  # a credit note made in Tryton, not from the sale
    again, credit = erp.invoices_for_orders([sale.external_id])[sale.external_id]
    assert (again.state, again.remote_state, again.residual, again.number) == (
        "paid", "paid", Decimal(0), paid[draft.external_id].number)
    assert (credit.kind, credit.state, credit.total, credit.corrects_external_id,
            credit.order_external_id) == ("credit_note", "draft", Decimal("9639.20"),
                                          draft.external_id, sale.external_id)


def test_a_draft_left_by_a_crash_is_posted_and_a_cancelled_one_is_not_replaced(tryton):
    erp = client(tryton)
    sent = invoice()
    draft_id, _, _ = erp.invoices._create(sent)  # the attempt died before `post`
    assert erp.find_invoice(sent.reference).state == "draft"
    pushed = erp.push_invoice(sent)
    assert (pushed.external_id, pushed.state) == (str(draft_id), "posted")
    assert len(invoices_with_reference(tryton, sent.reference)) == 1

    dropped = invoice()
    cancelled_id, _, _ = erp.invoices._create(dropped)
    tryton.rpc("model.account.invoice.cancel", [cancelled_id])  # someone cancelled it there
    with pytest.raises(PermanentError, match="was cancelled in Tryton"):
        erp.push_invoice(dropped)
    assert len(invoices_with_reference(tryton, dropped.reference)) == 1


def test_tryton_refusing_to_post_is_permanent_with_its_words(tryton):
    sent = invoice(invoice_date=date(2001, 1, 1), due_date=None)
    with pytest.raises(PermanentError, match="Tryton refused model.account.invoice.post: "
                       'To continue, you must create a period for the date "01/01/2001"'):
        client(tryton).push_invoice(sent)


def test_an_invoice_in_another_currency_keeps_its_amounts(tryton):
    sent = invoice(lines=(taxed("TEST-B", 4, "25.50"),), currency="USD")
    pushed = client(tryton).push_invoice(sent)
    got, = invoices_with_reference(tryton, sent.reference)
    assert (got["currency."]["code"], got["state"], got["total_amount"]) == (
        "USD", "posted", Decimal("115.26"))
    assert (pushed.currency, pushed.total, pushed.residual, pushed.notes) == (
        "USD", Decimal("115.26"), Decimal("115.26"), ())


def test_a_period_is_listed_page_by_page_with_credit_notes(tryton, monkeypatch):
    """invoices_dated (reconciliation): every out invoice of the period, as
    Tryton's own search finds them, each once across pages; credit notes with
    positive figures."""
    from connectors.erp import tryton_invoices

    monkeypatch.setattr(tryton_invoices, "PAGE", 2)
    # today, as the other tests' invoices: Tryton numbers a sequence in date
    # order (an earlier day is refused once they have posted; a later one is
    # "in the future"); the period then holds theirs too, which are listed alike
    day = date.today()
    sent = invoice(invoice_date=day)
    pushed = client(tryton).push_invoice(sent)
    credit = client(tryton).push_invoice(invoice(
        lines=LINES[:1], kind="credit_note", cust=sent.customer, invoice_date=day,
        corrects_external_id=pushed.external_id))
    pages = list(client(tryton).invoices_dated(day, day))
    listed = [r for page in pages for r in page]
    expected = tryton.search_read("account.invoice", [("type", "=", "out"),
                                                      ("invoice_date", "=", day)], ["id"])
    assert all(len(page) <= 2 for page in pages) and len(pages) >= 1
    assert sorted(int(r.external_id) for r in listed) == sorted(r["id"] for r in expected)
    by_id = {r.external_id: r for r in listed}
    ours, theirs = by_id[pushed.external_id], by_id[credit.external_id]
    assert (ours.reference, ours.state, ours.total, ours.total_tax, ours.residual) == (
        sent.reference, "posted", Decimal("9639.23"), Decimal("799.20"), Decimal("9639.23"))
    assert (theirs.kind, theirs.total, theirs.total_tax) == (
        "credit_note", Decimal("4339.20"), Decimal("499.20"))
