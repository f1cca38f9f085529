"""Errors planted in our own documents are caught by the rule the norm names
for them, in UBL and in CII alike: wrong totals (BR-CO-*), a standard-rate
line without the seller's VAT id (BR-S-02), no buyer name (BR-07), an
exempt category without its reason (BR-E-10), reverse charge without the
buyer's VAT id (BR-AE-02)."""
from __future__ import annotations

from dataclasses import replace

import pytest
from lxml import etree

from connectors.einvoice.cii import to_cii
from connectors.einvoice.ubl import to_ubl
from connectors.einvoice.validation import validate
from tests.einvoice_documents import ARTEFACTS, BUYER_DE, CASES, NS, SELLER

WRITERS = {"ubl": to_ubl, "cii": to_cii}
MIXED = CASES["mixed 19% and 7%"]  # payable 250.68, VAT 31.98, lines 218.70
# an amount changed in the XML -> the rules that must fail, per syntax
AMOUNTS = {
    "amount due": ({"ubl": "//cac:LegalMonetaryTotal/cbc:PayableAmount",
                    "cii": "//ram:DuePayableAmount"}, "250.69", {"BR-CO-16"}),
    "VAT total": ({"ubl": "/*/cac:TaxTotal/cbc:TaxAmount", "cii": "//ram:TaxTotalAmount"},
                  "31.99", {"BR-CO-14", "BR-CO-15"}),
    "sum of lines": ({"ubl": "//cac:LegalMonetaryTotal/cbc:LineExtensionAmount",
                      "cii": "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
                             "ram:LineTotalAmount"}, "218.71", {"BR-CO-10", "BR-CO-13"}),
}
DOCUMENTS = {
    "standard rate without the seller's VAT id": (
        replace(MIXED, seller=replace(SELLER, vat_id="", tax_registration="")), {"BR-S-02"}),
    "no buyer name": (replace(MIXED, buyer=replace(BUYER_DE, name="")), {"BR-07"}),
    "exempt without a reason": (replace(CASES["exempt line with reason"], exemptions=()),
                                {"BR-E-10"}),
    "reverse charge without the buyer's VAT id": (
        replace(CASES["reverse charge intra-EU"],
                buyer=replace(CASES["reverse charge intra-EU"].buyer, vat_id="")),
        {"BR-AE-02"}),
}


def fatal_rules(xml: bytes) -> set[str]:
    report = validate(xml, ARTEFACTS)
    assert report.schema_errors == ()  # the rules, not the schema, catch these
    assert not report.valid
    return {f.rule for f in report.fatal}


@pytest.mark.parametrize("syntax", WRITERS)
@pytest.mark.parametrize("planted", AMOUNTS)
def test_a_wrong_total_is_caught_by_its_br_co_rule(planted, syntax):
    xpaths, wrong, rules = AMOUNTS[planted]
    tree = etree.fromstring(WRITERS[syntax](MIXED))
    (node,) = tree.xpath(xpaths[syntax], namespaces=NS)
    node.text = wrong
    assert fatal_rules(etree.tostring(tree)) == rules


@pytest.mark.parametrize("syntax", WRITERS)
@pytest.mark.parametrize("planted", DOCUMENTS)
def test_a_missing_party_fact_is_caught_by_its_rule(planted, syntax):
    doc, rules = DOCUMENTS[planted]
    assert fatal_rules(WRITERS[syntax](doc)) == rules


def test_findings_carry_the_official_text_and_where():
    report = validate(to_ubl(DOCUMENTS["no buyer name"][0]), ARTEFACTS)
    (finding,) = report.findings
    assert (finding.rule, finding.flag, finding.text) == (
        "BR-07", "fatal", "An Invoice shall contain the Buyer name (BT-44).")
    assert finding.location.startswith("/*:Invoice")
