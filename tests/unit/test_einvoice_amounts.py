"""An EN 16931 document's amounts, derived in one place (connectors/einvoice/
amounts.py): line amounts rounded once, the VAT breakdown per category and
rate over the rounded figures, the totals from the breakdown. Pure: no
artefacts (the official rules judge these documents in
tests/integration/test_einvoice_generated_documents.py)."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from connectors.einvoice.amounts import VatBreakdown
from connectors.einvoice.document import StatedVat
from tests.einvoice_documents import CASES, line

D = Decimal


def breakdown(doc):
    return [(b.category, b.rate, b.taxable, b.tax) for b in doc.vat_breakdown]


def test_a_line_amount_is_quantity_times_price_rounded_half_up_once():
    assert line(1, "x", 3, "10.005").net_amount == D("30.02")  # 30.015
    assert line(2, "x", 7, "1.333").net_amount == D("9.33")  # 9.331
    assert line(3, "x", "0.5", "0.01").net_amount == D("0.01")  # 0.005


def test_odd_rounding_sums_the_rounded_line_amounts():
    doc = CASES["odd rounding 3 x 10.005"]
    assert breakdown(doc) == [("S", D(19), D("30.02"), D("5.70")),  # 5.7038
                              ("S", D(7), D("9.33"), D("0.65"))]  # 0.6531
    t = doc.totals
    assert (t.line_extension, t.tax_exclusive, t.tax, t.tax_inclusive, t.payable) == (
        D("39.35"), D("39.35"), D("6.35"), D("45.70"), D("45.70"))


def test_one_breakdown_per_category_and_rate_in_order_of_appearance():
    doc = CASES["mixed 19% and 7%"]
    assert breakdown(doc) == [("S", D(19), D("138.90"), D("26.39")),  # 49.90 + 89.00
                              ("S", D(7), D("79.80"), D("5.59"))]
    assert doc.totals.tax == D("31.98")


def test_document_allowances_and_charges_enter_their_categorys_taxable_amount():
    doc = CASES["document allowance and charge"]
    assert breakdown(doc) == [("S", D(19), D("2399.50"), D("455.91")),  # 2500 - 125 + 24.50
                              ("S", D(7), D("113.71"), D("7.96"))]  # 119.70 - 5.99
    t = doc.totals
    assert (t.line_extension, t.allowances, t.charges, t.tax_exclusive, t.tax, t.payable) == (
        D("2619.70"), D("130.99"), D("24.50"), D("2513.21"), D("463.87"), D("2977.08"))


def test_untaxed_categories_carry_no_tax_and_a_reason():
    assert CASES["reverse charge intra-EU"].vat_breakdown == (
        VatBreakdown("AE", D(0), D("1760.00"), D("0.00"), "Reverse charge", "VATEX-EU-AE"),)
    exempt = CASES["exempt line with reason"].vat_breakdown
    assert [(b.category, b.tax, b.exemption_reason, b.exemption_code) for b in exempt] == [
        ("S", D("9.31"), "", ""),
        ("E", D("0.00"), "Steuerfrei nach § 4 Nr. 21 UStG", "VATEX-EU-132-1I")]
    zero = CASES["zero-rated line"].vat_breakdown[1]
    assert (zero.category, zero.tax, zero.exemption_reason) == ("Z", D("0.00"), "")


def test_prepaid_and_cash_rounding_settle_the_amount_due():
    t = CASES["prepaid and cash rounding"].totals
    assert (t.tax_inclusive, t.prepaid, t.rounding, t.payable) == (
        D("40.87"), D("10.00"), D("-0.02"), D("30.85"))  # 30.87 to the 0.05 below


def test_the_amounts_follow_the_lines_of_each_document():
    doc = CASES["domestic standard rate"]
    more = replace(doc, lines=doc.lines + (line(3, "Dichtung", 4, "2.50"),))
    assert (doc.totals.line_extension, more.totals.line_extension) == (D("2832.50"),
                                                                       D("2842.50"))


def test_a_credit_note_states_positive_amounts():
    doc = CASES["credit note for an invoice"]
    assert doc.is_credit_note and doc.totals.payable == D("1487.50")


def test_the_sellers_per_line_vat_is_stated_within_br_co_17s_tolerance():
    """Three lines of 0.25 at 7%: each line's VAT 0.0175 rounds to 0.02, so the
    books say 0.06; the category computes 0.75 x 7% = 0.05. The stated 0.06 is
    kept, and the payable amount is the invoice's."""
    lines = tuple(line(n, "x", 1, "0.25", rate=7) for n in (1, 2, 3))
    doc = replace(CASES["mixed 19% and 7%"], lines=lines, allowances_charges=())
    assert breakdown(doc) == [("S", D(7), D("0.75"), D("0.05"))]
    stated = replace(doc, stated_vat=(StatedVat("S", D(7), D("0.06")),))
    assert breakdown(stated) == [("S", D(7), D("0.75"), D("0.06"))]
    assert (stated.totals.tax, stated.totals.payable) == (D("0.06"), D("0.81"))


def test_a_stated_vat_a_unit_or_more_away_or_on_an_untaxed_category_is_not_kept():
    doc = CASES["mixed 19% and 7%"]  # 19%: 26.39 computed
    far = replace(doc, stated_vat=(StatedVat("S", D(19), D("27.39")),))
    assert breakdown(far)[0][3] == D("26.39")
    near = replace(doc, stated_vat=(StatedVat("S", D(19), D("27.38")),))
    assert breakdown(near)[0][3] == D("27.38")
    exempt = replace(CASES["exempt line with reason"],
                     stated_vat=(StatedVat("E", D(0), D("0.01")),))
    assert all(b.tax == 0 for b in exempt.vat_breakdown if b.category == "E")
