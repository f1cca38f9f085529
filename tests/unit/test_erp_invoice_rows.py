"""The remotes' invoice rows as neutral RemoteInvoices, and the payment and
totals rules they share: pure conversion, no remote (the clients' calls are
tested against Tryton and the doubles in tests/integration/test_erp_*_invoices.py)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from connectors.erp.erpnext_invoices import ErpNextInvoices
from connectors.erp.invoice_payloads import InvoiceOut, RemoteInvoice, payment_state, totals_differ
from connectors.erp.odoo_invoices import remote_invoice as odoo_invoice
from connectors.erp.payloads import Customer
from connectors.erp.tryton_invoices import remote_invoice as tryton_invoice

D = Decimal


def test_payment_state_from_total_and_residual():
    assert [payment_state(D(100), r) for r in (D(100), D(40), D(0), D(-1))] == [
        "not_paid", "partial", "paid", "paid"]
    assert payment_state(D(0), D(0)) == "not_paid" and payment_state(None, D(1)) == "not_paid"


def test_totals_differ_names_each_figure_at_the_currency_decimals():
    sent = InvoiceOut(reference="INV-1", kind="invoice", customer=Customer("CD-1", "A"),
                      currency="JPY", invoice_date=date(2026, 12, 1), lines=(),
                      total_untaxed=D("1000"), total_tax=D("100"), currency_places=0)
    same = RemoteInvoice("1", "1", "invoice", "posted", "posted", total_untaxed=D("1000.4"),
                         total_tax=D(100), total=D(1100))
    assert totals_differ(sent, same) == ""
    other = RemoteInvoice("1", "1", "invoice", "posted", "posted", total_untaxed=D(1000),
                          total_tax=D(99), total=D(1099))
    assert totals_differ(sent, other) == (
        "totals differ: tax 99 there, 100 here; total 1099 there, 1100 here")


def test_tryton_credit_notes_are_positive_and_a_reconciled_invoice_is_paid():
    credit = tryton_invoice({
        "id": 7, "number": "CN1", "reference": "CN-1", "state": "posted", "type": "out",
        "invoice_date": date(2026, 12, 1), "currency.": {"code": "CNY"},
        "untaxed_amount": D("-100.00"), "tax_amount": D("-13.00"), "total_amount": D("-113.00"),
        "amount_to_pay": D("-113.00"), "reconciled": None, "party": 3, "sales": [],
        "origin_invoices": [5], "lines_to_pay.": [{"maturity_date": date(2026, 12, 31)}]})
    assert (credit.kind, credit.total, credit.residual, credit.payment_state,
            credit.corrects_external_id, credit.due_date) == (
        "credit_note", D("113.00"), D("113.00"), "not_paid", "5", date(2026, 12, 31))
    paid = tryton_invoice({
        "id": 8, "number": "1", "reference": "", "state": "posted", "type": "out",
        "untaxed_amount": D(100), "tax_amount": D(13), "total_amount": D(113),
        "amount_to_pay": D(0), "reconciled": date(2027, 1, 31), "sales": [4],
        "payment_lines.": [], "reconciliation_lines.": [{"date": date(2026, 12, 3)}]})
    assert (paid.state, paid.remote_state, paid.payment_state, paid.amount_paid,
            paid.payment_date, paid.order_external_id) == (
        "paid", "posted (reconciled)", "paid", D(113), date(2026, 12, 3), "4")


def test_odoo_paid_in_payment_and_reversed_are_paid_and_a_draft_has_no_number():
    row = {"id": 3, "name": "INV/2026/00003", "move_type": "out_invoice", "state": "posted",
           "ref": "INV-3", "partner_id": [9, "Fabrikam"], "currency_id": [1, "EUR"],
           "invoice_date": "2026-12-01", "invoice_date_due": "2026-12-31",
           "amount_untaxed": 100.0, "amount_tax": 13.0, "amount_total": 113.0,
           "amount_residual": 0.0, "reversed_entry_id": False,
           "invoice_payments_widget": {"content": [{"date": "2026-12-02"}, {"date": "2026-12-05"}]}}
    for state in ("paid", "in_payment", "reversed"):
        got = odoo_invoice({**row, "payment_state": state})
        assert (got.state, got.payment_state, got.residual, got.payment_date) == (
            "paid", "paid", D(0), date(2026, 12, 5))
    draft = odoo_invoice({**row, "name": "/", "state": "draft", "payment_state": "not_paid",
                          "amount_residual": 113.0, "invoice_payments_widget": False})
    assert (draft.number, draft.state, draft.residual, draft.payment_date) == (
        "", "draft", D("113.00"), None)


def test_erpnext_returns_are_positive_and_rounded_totals_are_what_is_owed():
    invoices = ErpNextInvoices.__new__(ErpNextInvoices)
    invoices.reference_field = "crossdock_reference"
    ret = invoices._remote({"name": "ACC-SINV-2026-00002", "docstatus": 1, "is_return": 1,
                            "return_against": "ACC-SINV-2026-00001", "status": "Return",
                            "net_total": -100, "total_taxes_and_charges": -13,
                            "grand_total": -113, "disable_rounded_total": 1,
                            "outstanding_amount": 0})
    assert (ret.kind, ret.total, ret.state, ret.corrects_external_id) == (
        "credit_note", D("113.00"), "paid", "ACC-SINV-2026-00001")
    rounded = invoices._remote({"name": "ACC-SINV-2026-00003", "docstatus": 1, "is_return": 0,
                                "status": "Partly Paid", "net_total": 100.4,
                                "total_taxes_and_charges": 13.05, "grand_total": 113.45,
                                "rounded_total": 113, "disable_rounded_total": 0,
                                "outstanding_amount": 13},
                               paid_on=date(2026, 12, 2))
    assert (rounded.total, rounded.residual, rounded.amount_paid, rounded.payment_state,
            rounded.payment_date) == (D("113.00"), D("13.00"), D("100.00"), "partial",
                                      date(2026, 12, 2))


def test_an_unknown_invoice_kind_is_refused_when_the_payload_is_made():
    import pytest

    with pytest.raises(ValueError, match="invoice kind 'refund': use invoice or credit_note"):
        InvoiceOut(reference="X", kind="refund", customer=Customer("CD-1", "A"), currency="EUR",
                   invoice_date=date(2026, 12, 1), lines=(), total_untaxed=D(0))
