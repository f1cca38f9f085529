"""FatturaPA 1.2 from the neutral Document: an Italian customer's invoice and
credit note pass the official XSD and carry the Document's amounts to the
cent; the official samples pass the same XSD (and the one without
CedentePrestatore fails, naming it); a planted error is caught with a message
naming the element; Natura and file names follow SdI's rules."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from lxml import etree

from connectors.einvoice.sdi.fatturapa import to_fatturapa
from connectors.einvoice.sdi.validation import fatturapa_errors
from tests.sdi_documents import (BUYER_IT, CREDIT_NOTE_IT, INVOICE_IT, SAMPLES, SDI_ARTEFACTS,
                                 transmission)


def _sum(nodes) -> Decimal:
    return sum((Decimal(n.text) for n in nodes), Decimal("0.00"))


@pytest.mark.parametrize("doc", [INVOICE_IT, CREDIT_NOTE_IT], ids=["invoice", "credit note"])
def test_an_italian_invoice_and_credit_note_are_valid_with_the_documents_amounts(doc):
    xml = to_fatturapa(doc, transmission())
    assert fatturapa_errors(xml, SDI_ARTEFACTS) == ()
    tree = etree.fromstring(xml)
    summaries = tree.findall(".//DatiRiepilogo")
    assert [(Decimal(s.findtext("AliquotaIVA")), s.findtext("Natura"),
             Decimal(s.findtext("ImponibileImporto")), Decimal(s.findtext("Imposta")))
            for s in summaries] == [
        (b.rate, {"E": "N4"}.get(b.category), b.taxable, b.tax) for b in doc.vat_breakdown]
    for summary in summaries:  # SdI's check: the lines of a rate add up to its taxable amount
        rate = summary.findtext("AliquotaIVA")
        lines = [n for n in tree.iterfind(".//DettaglioLinee")
                 if n.findtext("AliquotaIVA") == rate]
        assert _sum(n.find("PrezzoTotale") for n in lines) == Decimal(
            summary.findtext("ImponibileImporto"))
    assert Decimal(tree.findtext(".//ImportoTotaleDocumento")) == doc.totals.tax_inclusive
    assert Decimal(tree.findtext(".//ImportoPagamento")) == doc.totals.payable
    assert _sum(tree.iterfind(".//Imposta")) == doc.totals.tax
    if doc.is_credit_note:
        assert tree.findtext(".//TipoDocumento") == "TD04"
        assert tree.findtext(".//DatiFattureCollegate/IdDocumento") == "FT-2026-0001"
    else:
        assert tree.findtext(".//TipoDocumento") == "TD01"
        assert (doc.totals.tax_inclusive, doc.totals.tax) == (Decimal("4227.66"),
                                                              Decimal("600.44"))


def test_the_official_samples_pass_the_same_xsd_and_a_missing_seller_is_named():
    samples = sorted((SAMPLES / "invoices").glob("*.xml"))
    verdicts = {p.name: fatturapa_errors(p.read_bytes(), SDI_ARTEFACTS) for p in samples}
    missing = verdicts.pop("missing_CedentePrestatore.xml")
    assert len(verdicts) == 5 and all(v == () for v in verdicts.values()), verdicts
    assert len(missing) == 1 and "Expected is ( CedentePrestatore )" in missing[0]


def test_a_planted_error_is_caught_by_the_xsd_with_the_element_named():
    bad = replace(INVOICE_IT, buyer=replace(BUYER_IT, address=replace(BUYER_IT.address,
                                                                       postal_code="0014")))
    errors = fatturapa_errors(to_fatturapa(bad, transmission()), SDI_ARTEFACTS)
    assert len(errors) == 1 and "Element 'CAP'" in errors[0] and "'0014'" in errors[0]


def test_natura_is_overridden_per_category_and_pec_recipients_use_0000000():
    tx = transmission(natura={"E": "N2"}, pec="fatture@pec.rossi.example",
                      buyer_fiscal_code="RSSMRA80A01H501U")
    tree = etree.fromstring(to_fatturapa(INVOICE_IT, tx))
    assert [n.text for n in tree.iterfind(".//DatiRiepilogo/Natura")] == ["N2"]
    assert (tree.findtext(".//CodiceDestinatario"), tree.findtext(".//PECDestinatario"),
            tree.findtext(".//CessionarioCommittente//CodiceFiscale")) == (
        "0000000", "fatture@pec.rossi.example", "RSSMRA80A01H501U")
    assert fatturapa_errors(to_fatturapa(INVOICE_IT, tx), SDI_ARTEFACTS) == ()


def test_file_names_follow_sdis_rule():
    assert transmission("A0B12").file_name == "IT01234567890_A0B12.xml"
    for progressivo in ("0001", "0000a", "000001"):
        with pytest.raises(ValueError, match="not a file name SdI accepts"):
            transmission(progressivo).file_name
