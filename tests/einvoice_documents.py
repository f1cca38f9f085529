"""The e-invoicing tests' documents: one EN 16931 case per VAT situation a
seller meets (domestic, mixed rates, zero-rated, exempt, reverse charge,
intra-EU supply, allowances and charges, a credit note, odd rounding, cash
rounding), an export to a Chinese buyer with Chinese names (EXPORT_CN), and
where the official artefacts are: ../shared/reference/en16931 beside the
clone, as CI has it. Used by tests/*/test_einvoice_*.py and bench/einvoice_*.py."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from connectors.einvoice import cii, ubl
from connectors.einvoice.document import (CREDIT_NOTE, Address, AllowanceCharge, Document,
                                          Exemption, Line, Party, PaymentMeans, StatedVat)

ARTEFACTS = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "en16931"
D = Decimal
NS = {"cac": ubl.CAC, "cbc": ubl.CBC, "ram": cii.RAM, "rsm": cii.RSM}  # for XPaths into ours

SELLER = Party("Crossdock Handels GmbH", Address("DE", "Friedrichstraße 12", city="Berlin",
                                                 postal_code="10117"),
               vat_id="DE123456789", tax_registration="27/123/45678",
               legal_id="HRB 123456", email="rechnung@crossdock.example",
               endpoint="DE123456789", endpoint_scheme="9930")
BUYER_DE = Party("Müller Maschinenbau AG", Address("DE", "Industriestraße 5", city="München",
                                                   postal_code="80331"),
                 vat_id="DE987654321", email="einkauf@mueller.example",
                 endpoint="DE987654321", endpoint_scheme="9930")
BUYER_FR = Party("Dupont Logistique SARL", Address("FR", "12 rue de la Paix", city="Paris",
                                                   postal_code="75002"),
                 vat_id="FR61954506077", endpoint="FR61954506077", endpoint_scheme="9957")


def invoice(*lines: Line, buyer: Party = BUYER_DE, **fields) -> Document:
    """An invoice of SELLER's, due in 30 days, paid by SEPA transfer."""
    defaults = dict(number="RE-2026-0001", issue_date=date(2026, 12, 1), currency="EUR",
                    seller=SELLER, due_date=date(2026, 12, 31), buyer_reference="04011000-12345-34",
                    order_reference="PO-7781", payment_terms="Zahlbar innerhalb 30 Tagen netto",
                    payment_means=PaymentMeans("58", "DE75512108001245126199",
                                               "Crossdock Handels GmbH", "RE-2026-0001"))
    return Document(buyer=buyer, lines=tuple(lines), **{**defaults, **fields})


def line(n: int, name: str, quantity, price, category="S", rate="19", unit="C62") -> Line:
    return Line(str(n), name, D(quantity), D(price), category,
                None if rate is None else D(rate), unit)


CASES = {
    "domestic standard rate": invoice(line(1, "Hydraulikpumpe HP-200", 2, "1250.00"),
                                      line(2, "Montage", "3.5", "95.00", unit="HUR")),
    "mixed 19% and 7%": invoice(line(1, "Druckerpapier A4", 10, "4.99"),
                                line(2, "Fachbuch Hydraulik", 2, "39.90", rate="7"),
                                line(3, "Toner", 1, "89.00")),
    "zero-rated line": invoice(line(1, "Wartung", 2, "120.00"),
                               line(2, "Bordverpflegung (Seeschiff)", 5, "12.00", "Z", "0")),
    "exempt line with reason": replace(
        invoice(line(1, "Schulungsunterlagen", 1, "49.00"),
                line(2, "Berufliche Fortbildung", 1, "800.00", "E", "0")),
        exemptions=(Exemption("E", "Steuerfrei nach § 4 Nr. 21 UStG",
                              "VATEX-EU-132-1I"),)),
    "reverse charge intra-EU": invoice(line(1, "Software-Beratung", 16, "110.00", "AE", "0",
                                            "HUR"), buyer=BUYER_FR),
    "intra-EU supply of goods": invoice(line(1, "Hydraulikpumpe HP-200", 4, "1250.00", "K",
                                             "0"), buyer=BUYER_FR,
                                        delivery_date=date(2026, 11, 28),
                                        delivery_country="FR"),
    "document allowance and charge": invoice(
        line(1, "Hydraulikpumpe HP-200", 2, "1250.00"),
        line(2, "Fachbuch Hydraulik", 3, "39.90", rate="7"),
        allowances_charges=(AllowanceCharge(False, D("125.00"), "S", D(19), "Mengenrabatt",
                                            "95"),
                            AllowanceCharge(True, D("24.50"), "S", D(19), "Fracht", "FC"),
                            AllowanceCharge(False, D("5.99"), "S", D(7), "Treuerabatt", "95"))),
    "credit note for an invoice": invoice(
        line(1, "Hydraulikpumpe HP-200 (Rücksendung)", 1, "1250.00"),
        number="GS-2026-0001", type_code=CREDIT_NOTE, preceding_invoice="RE-2026-0001",
        preceding_issue_date=date(2026, 12, 1), payment_terms="Gutschrift per Überweisung"),
    "odd rounding 3 x 10.005": invoice(line(1, "Schrauben M6 (100 Stück)", 3, "10.005"),
                                       line(2, "Muttern M6 (100 Stück)", 7, "1.333", rate="7")),
    # the seller's books round VAT per line: 3 x 0.0175 -> 0.06, not 0.75 x 7% = 0.05
    "per-line VAT stated": replace(
        invoice(*(line(n, "Unterlegscheibe M6", 1, "0.25", rate="7") for n in (1, 2, 3))),
        stated_vat=(StatedVat("S", D(7), D("0.06")),)),
    "prepaid and cash rounding": replace(
        invoice(line(1, "Kaffee Arabica", 3, "10.005", rate="8.1"),
                line(2, "Tasse", 1, "7.79", rate="8.1")),
        currency="CHF", prepaid=D("10.00"), cash_rounding=D("0.05"),
        seller=replace(SELLER, vat_id="CHE123456789MWST", tax_registration="",
                       address=Address("CH", "Bahnhofstrasse 1", city="Zürich",
                                       postal_code="8001"))),
}

BUYER_CN = Party("上海小部件贸易有限公司", Address("CN", "浦东新区世纪大道 100 号", city="上海",
                                                   postal_code="200120"),
                 email="caigou@xiaobujian.example")
# goods exported to a Chinese company: VAT category G (export outside the EU),
# Chinese names in the lines and the buyer; the Factur-X tests' zh invoice
EXPORT_CN = invoice(line(1, "小部件 A 型", 12, "15.50", "G", "0"),
                    line(2, "小部件 包装服务", 1, "44.12", "G", "0"),
                    buyer=BUYER_CN, number="RE-2026-0002", buyer_reference="",
                    order_reference="采购订单 8812", delivery_country="CN",
                    payment_terms="Payable within 30 days net",
                    payment_means=PaymentMeans("58", "DE75512108001245126199",
                                               "Crossdock Handels GmbH", "RE-2026-0002"))
