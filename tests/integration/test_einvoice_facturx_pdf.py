"""Factur-X PDFs of a German invoice (English labels), a German credit note
(Chinese labels) and an export to a Chinese buyer (Chinese labels and names):
pypdf opens them; `factur-x.xml` inside is our CII, byte for byte, and passes
the factur-x library's XSD check; the XMP declares PDF/A-3B and the Factur-X
EN 16931 level; the sRGB output intent is there; every font is embedded
(/FontFile2); the text a reader extracts holds the names and the amounts the
Document computes. A CII with a wrong total is refused with its rule id.

veraPDF (Java, not in Debian) is not run: what PDF/A-3 asks beyond these
checks rests on fpdf2's and the factur-x library's own conformance work."""
from __future__ import annotations

import io
import re

import facturx as facturx_lib
import pytest
from lxml import etree
from pypdf import PdfReader

from connectors.einvoice import facturx
from connectors.einvoice.cii import to_cii
from connectors.einvoice.invoice_pdf import money
from connectors.einvoice.settings import DEBIAN_CJK_FONT
from tests.einvoice_documents import ARTEFACTS, CASES, EXPORT_CN, NS

DOCUMENTS = {  # name -> (document, language, what the reader must see besides the amounts)
    "German invoice, en": (CASES["document allowance and charge"], "en",
                           ["Invoice RE-2026-0001", "Müller Maschinenbau AG", "Mengenrabatt",
                            "Amount due", "SEPA credit transfer"]),
    "German credit note, zh": (CASES["credit note for an invoice"], "zh",
                               ["贷项通知单 GS-2026-0001", "更正的发票", "RE-2026-0001",
                                "应付金额"]),
    "Chinese buyer, zh": (EXPORT_CN, "zh",
                          ["发票 RE-2026-0002", "上海小部件贸易有限公司", "小部件 A 型",
                           "小部件 包装服务", "出口至欧盟以外", "应付金额", "230.12"]),
}


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    return {name: facturx.facturx_pdf(doc, language, artefacts=ARTEFACTS,
                                      font=DEBIAN_CJK_FONT)
            for name, (doc, language, _) in DOCUMENTS.items()}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_embedded_xml_is_our_cii_and_passes_the_facturx_xsd(pdfs, name):
    doc = DOCUMENTS[name][0]
    reader = PdfReader(io.BytesIO(pdfs[name]))
    assert [a.name for a in reader.attachment_list] == ["factur-x.xml"]
    xml = facturx.embedded_xml(pdfs[name])
    assert xml == to_cii(doc)
    assert facturx_lib.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    filespec = reader.trailer["/Root"]["/AF"][0].get_object()
    assert filespec["/AFRelationship"] == "/Data"


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_xmp_declares_pdfa3_and_the_en16931_level(pdfs, name):
    root = PdfReader(io.BytesIO(pdfs[name])).trailer["/Root"]
    xmp = etree.fromstring(root["/Metadata"].get_object().get_data())
    ns = {"pdfaid": "http://www.aiim.org/pdfa/ns/id/",
          "fx": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"}
    facts = {tag: xmp.xpath(f"string(//{tag})", namespaces=ns)
             for tag in ("pdfaid:part", "pdfaid:conformance", "fx:ConformanceLevel",
                         "fx:DocumentFileName", "fx:DocumentType")}
    assert facts == {"pdfaid:part": "3", "pdfaid:conformance": "B",
                     "fx:ConformanceLevel": "EN 16931", "fx:DocumentFileName": "factur-x.xml",
                     "fx:DocumentType": "INVOICE"}
    (intent,) = root["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    assert intent["/DestOutputProfile"].get_object()["/N"] == 3


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_font_is_embedded(pdfs, name):
    reader = PdfReader(io.BytesIO(pdfs[name]))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descendant = descendant.get_object()
                fonts[descendant["/BaseFont"]] = descendant["/FontDescriptor"]
    assert fonts  # one subset of WenQuanYi Micro Hei: "ABCDEF+WenQuanYiMicroHei"
    assert all(re.fullmatch(r"/?[A-Z]{6}\+\S+", base) for base in fonts)
    assert {base: "/FontFile2" in d for base, d in fonts.items()} == dict.fromkeys(fonts, True)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_visible_text_holds_the_names_and_the_documents_amounts(pdfs, name):
    doc, _, expected = DOCUMENTS[name]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdfs[name])).pages)
    t = doc.totals
    amounts = [money(t.line_extension), money(t.tax_exclusive), money(t.tax),
               money(t.tax_inclusive), f"{money(t.payable)} {doc.currency}",
               *(money(line.net_amount) for line in doc.lines),
               *(money(b.taxable) for b in doc.vat_breakdown)]
    assert [s for s in expected + amounts if s not in text] == []


def test_a_wrong_total_refuses_the_pdf_with_its_rule(monkeypatch):
    def wrong_total(doc):
        tree = etree.fromstring(to_cii(doc))
        (due,) = tree.xpath("//ram:DuePayableAmount", namespaces=NS)
        due.text = "250.69"  # the document's is 250.68
        return etree.tostring(tree)

    monkeypatch.setattr(facturx, "to_cii", wrong_total)
    with pytest.raises(facturx.NotValid, match="BR-CO-16") as refused:
        facturx.facturx_pdf(CASES["mixed 19% and 7%"], "en", artefacts=ARTEFACTS,
                            font=DEBIAN_CJK_FONT)
    assert {f.rule for f in refused.value.report.fatal} == {"BR-CO-16"}
