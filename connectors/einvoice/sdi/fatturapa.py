"""FatturaPA 1.2 XML (FPR12/FPA12) from a neutral EN 16931 `Document` and its
`Transmission`.

Amounts come from the Document's own `amounts.py` figures, so DatiRiepilogo
(one per rate and Natura) and ImportoTotaleDocumento agree with the UBL/CII
renderings to the cent. FatturaPA has no document-level allowance with a VAT
rate of its own, so each EN 16931 allowance/charge becomes a line (SC
discount, negative / AC accessory charge) of its rate: the lines of a rate
then sum to its ImponibileImporto, as SdI checks. A credit note is TD04 with
positive amounts and DatiFattureCollegate naming the invoice it corrects.

    xml = to_fatturapa(document, Transmission("00001", "IT", "01234567890", "ABC1234"))
"""
from __future__ import annotations

from decimal import Decimal

from lxml import etree

from ..document import Document
from ..rounding import money
from ..xml_writing import add, add_text, amount, serialise
from .transmission import Transmission

NS = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"
DS = "http://www.w3.org/2000/09/xmldsig#"
INVOICE, CREDIT_NOTE = "TD01", "TD04"
# EN 16931 payment means (UNCL 4461) -> ModalitaPagamento; a bank transfer otherwise
MODALITA = {"10": "MP01", "20": "MP02", "30": "MP05", "58": "MP05", "48": "MP08",
            "54": "MP08", "55": "MP08", "59": "MP19"}
BANK_TRANSFER = "MP05"
FULL_PAYMENT = "TP02"  # CondizioniPagamento


def to_fatturapa(doc: Document, tx: Transmission) -> bytes:
    root = etree.Element(f"{{{NS}}}FatturaElettronica", nsmap={"p": NS, "ds": DS},
                         versione=tx.format)
    header = add(root, "FatturaElettronicaHeader")
    _transmission(add(header, "DatiTrasmissione"), tx)
    _seller(add(header, "CedentePrestatore"), doc, tx)
    _buyer(add(header, "CessionarioCommittente"), doc, tx)
    body = add(root, "FatturaElettronicaBody")
    _general(add(body, "DatiGenerali"), doc)
    _goods_and_services(add(body, "DatiBeniServizi"), doc, tx)
    _payment(body, doc)
    return serialise(root)


def _transmission(parent, tx: Transmission) -> None:
    sender = add(parent, "IdTrasmittente")
    add(sender, "IdPaese", tx.transmitter_country)
    add(sender, "IdCodice", tx.transmitter_code)
    add(parent, "ProgressivoInvio", tx.progressivo)
    add(parent, "FormatoTrasmissione", tx.format)
    add(parent, "CodiceDestinatario", tx.destination_code)
    add_text(parent, "PECDestinatario", tx.pec)


def _seller(parent, doc: Document, tx: Transmission) -> None:
    data = add(parent, "DatiAnagrafici")
    _vat_id(data, doc.seller.vat_id)
    add(add(data, "Anagrafica"), "Denominazione", doc.seller.name)
    add(data, "RegimeFiscale", tx.regime)
    _address(add(parent, "Sede"), doc.seller.address)


def _buyer(parent, doc: Document, tx: Transmission) -> None:
    data = add(parent, "DatiAnagrafici")
    if doc.buyer.vat_id:
        _vat_id(data, doc.buyer.vat_id)
    add_text(data, "CodiceFiscale", tx.buyer_fiscal_code)
    add(add(data, "Anagrafica"), "Denominazione", doc.buyer.name)
    _address(add(parent, "Sede"), doc.buyer.address)


def _vat_id(parent, vat_id: str) -> None:
    """IdFiscaleIVA from a VAT id with its country prefix (IT01234567890)."""
    fiscal = add(parent, "IdFiscaleIVA")
    add(fiscal, "IdPaese", vat_id[:2])
    add(fiscal, "IdCodice", vat_id[2:])


def _address(parent, address) -> None:
    add(parent, "Indirizzo", address.street)
    # CAP is five digits; foreign addresses write 00000 (their postcode has no field)
    add(parent, "CAP", address.postal_code if address.country == "IT" else "00000")
    add(parent, "Comune", address.city)
    if address.country == "IT":
        add_text(parent, "Provincia", address.subdivision)
    add(parent, "Nazione", address.country)


def _general(parent, doc: Document) -> None:
    general = add(parent, "DatiGeneraliDocumento")
    add(general, "TipoDocumento", CREDIT_NOTE if doc.is_credit_note else INVOICE)
    add(general, "Divisa", doc.currency)
    add(general, "Data", doc.issue_date.isoformat())
    add(general, "Numero", doc.number)
    totals = doc.totals  # the total includes the cash rounding, which is stated apart
    add(general, "ImportoTotaleDocumento", amount(totals.tax_inclusive + totals.rounding))
    if totals.rounding:
        add(general, "Arrotondamento", amount(totals.rounding))
    if doc.note:
        add(general, "Causale", doc.note[:200])
    if doc.order_reference:
        add(add(parent, "DatiOrdineAcquisto"), "IdDocumento", doc.order_reference)
    if doc.preceding_invoice:
        linked = add(parent, "DatiFattureCollegate")
        add(linked, "IdDocumento", doc.preceding_invoice)
        if doc.preceding_issue_date:
            add(linked, "Data", doc.preceding_issue_date.isoformat())


def _goods_and_services(parent, doc: Document, tx: Transmission) -> None:
    number = 0
    for number, line in enumerate(doc.lines, 1):
        _line(parent, number, "", line.name, line.quantity, line.net_price, line.net_amount,
              line.vat_rate, tx.natura_of(line.vat_category))
    for offset, ac in enumerate(doc.allowances_charges, number + 1):
        value = money(ac.amount) if ac.charge else -money(ac.amount)
        _line(parent, offset, "AC" if ac.charge else "SC", ac.reason or ac.reason_code, None,
              value, value, ac.vat_rate, tx.natura_of(ac.vat_category))
    for vat in doc.vat_breakdown:
        summary = add(parent, "DatiRiepilogo")
        add(summary, "AliquotaIVA", amount(vat.rate or Decimal(0)))
        natura = tx.natura_of(vat.category)
        add_text(summary, "Natura", natura or "")
        add(summary, "ImponibileImporto", amount(vat.taxable))
        add(summary, "Imposta", amount(vat.tax))
        if natura:
            add_text(summary, "RiferimentoNormativo", vat.exemption_reason[:100])
        else:
            add(summary, "EsigibilitaIVA", "I")  # immediate, the ordinary case


def _line(parent, number, kind, name, quantity, price, total, rate, natura) -> None:
    line = add(parent, "DettaglioLinee")
    add(line, "NumeroLinea", str(number))
    add_text(line, "TipoCessionePrestazione", kind)
    add(line, "Descrizione", name[:1000])
    if quantity is not None:
        add(line, "Quantita", _decimals(quantity))
    add(line, "PrezzoUnitario", _decimals(price))
    add(line, "PrezzoTotale", _decimals(total))
    add(line, "AliquotaIVA", amount(rate or Decimal(0)))
    add_text(line, "Natura", natura or "")


def _payment(body, doc: Document) -> None:
    means = doc.payment_means
    payment = add(body, "DatiPagamento")
    add(payment, "CondizioniPagamento", FULL_PAYMENT)
    detail = add(payment, "DettaglioPagamento")
    add(detail, "ModalitaPagamento", MODALITA.get(means.code, BANK_TRANSFER) if means
        else BANK_TRANSFER)
    if doc.due_date:
        add(detail, "DataScadenzaPagamento", doc.due_date.isoformat())
    add(detail, "ImportoPagamento", amount(doc.totals.payable))
    if means and means.iban:
        add(detail, "IBAN", means.iban)


def _decimals(value: Decimal) -> str:
    """2 to 8 decimals, as FatturaPA's quantities and prices are written."""
    text = format(Decimal(value).normalize(), "f")
    whole, _, fraction = text.partition(".")
    return f"{whole}.{(fraction + '00')[:max(2, len(fraction))][:8]}"
