"""Our documents, in UBL (Peppol BIS Billing 3.0) and CII (Factur-X EN 16931),
pass the XSD and every official business rule (no finding at all, not even
a warning) for each VAT situation of tests/einvoice_documents.py; the amounts
in the XML are the document's."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from lxml import etree

from connectors.einvoice import ubl
from connectors.einvoice.cii import to_cii
from connectors.einvoice.ubl import to_ubl
from connectors.einvoice.validation import validate
from tests.einvoice_documents import ARTEFACTS, CASES, NS

WRITERS = {"ubl": to_ubl, "cii": to_cii}
# where each syntax states the amount due, the VAT total and the type code
XPATHS = {"ubl": ("//cac:LegalMonetaryTotal/cbc:PayableAmount", "/*/cac:TaxTotal/cbc:TaxAmount",
                  "/*/cbc:InvoiceTypeCode | /*/cbc:CreditNoteTypeCode"),
          "cii": ("//ram:DuePayableAmount", "//ram:TaxTotalAmount", "//rsm:ExchangedDocument/"
                  "ram:TypeCode")}


@pytest.mark.parametrize("syntax", WRITERS)
@pytest.mark.parametrize("case", CASES)
def test_a_generated_document_passes_the_schema_and_every_rule(case, syntax):
    doc = CASES[case]
    xml = WRITERS[syntax](doc)
    report = validate(xml, ARTEFACTS)
    assert report.schema_errors == ()
    assert [(f.rule, f.flag, f.text) for f in report.findings] == []
    tree = etree.fromstring(xml)
    payable, tax, type_code = (tree.xpath(x, namespaces=NS)[0].text for x in XPATHS[syntax])
    assert (Decimal(payable), Decimal(tax), type_code) == (doc.totals.payable, doc.totals.tax,
                                                           doc.type_code)


def test_ubl_carries_the_peppol_ids_and_a_credit_note_its_own_root():
    invoice = etree.fromstring(to_ubl(CASES["domestic standard rate"]))
    credit = etree.fromstring(to_ubl(CASES["credit note for an invoice"]))
    assert invoice.findtext(f"{{{ubl.CBC}}}CustomizationID") == (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0")
    assert invoice.findtext(f"{{{ubl.CBC}}}ProfileID") == (
        "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0")
    assert etree.QName(credit).localname == "CreditNote"
    assert credit.xpath("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID/text()",
                        namespaces=NS) == ["RE-2026-0001"]


def test_cii_carries_the_en16931_guideline_and_the_preceding_invoice():
    credit = etree.fromstring(to_cii(CASES["credit note for an invoice"]))
    assert credit.xpath("//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text()",
                        namespaces=NS) == ["urn:cen.eu:en16931:2017"]
    assert credit.xpath("//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()",
                        namespaces=NS) == ["RE-2026-0001"]


def test_threads_share_the_compiled_rules():
    docs = [WRITERS[s](doc) for doc in CASES.values() for s in WRITERS]
    with ThreadPoolExecutor(4) as pool:
        reports = list(pool.map(lambda xml: validate(xml, ARTEFACTS), docs * 2))
    assert [r.valid and not r.findings for r in reports] == [True] * len(docs) * 2


def test_a_document_in_another_encoding_is_judged_the_same():
    xml = to_ubl(CASES["domestic standard rate"])  # Müller, Straße, München
    latin1 = xml.decode().replace("encoding='UTF-8'", "encoding='ISO-8859-1'").encode("latin-1")
    report = validate(latin1, ARTEFACTS)
    assert report.valid and not report.findings
