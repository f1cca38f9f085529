"""The SdI tests' documents: an Italian seller's invoice to an Italian company
(22% and 10% lines, an exempt line, a discount) and the credit note that
corrects it, their Transmission data, and where SdI's official artefacts are:
../shared/reference/italy-sdi beside the clone, as CI has it. Used by
tests/*/test_sdi_*.py, tests/doubles/sdi_standin.py and bench/einvoice_sdi.py."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from pathlib import Path

from connectors.einvoice.document import (CREDIT_NOTE, Address, AllowanceCharge, Document,
                                          Exemption, Line, Party, PaymentMeans)
from connectors.einvoice.sdi.transmission import Transmission

SDI_ARTEFACTS = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "italy-sdi"
SAMPLES = SDI_ARTEFACTS / "tests" / "samples"

SELLER_IT = Party("Crossdock Italia SRL", Address("IT", "Via Roma 10", city="Milano",
                                                  postal_code="20121", subdivision="MI"),
                  vat_id="IT01234567890", email="fatture@crossdock.example")
BUYER_IT = Party("Rossi Costruzioni SPA", Address("IT", "Via Torino 38", city="Roma",
                                                  postal_code="00145", subdivision="RM"),
                 vat_id="IT09876543210")

INVOICE_IT = Document(
    number="FT-2026-0001", issue_date=date(2026, 12, 1), currency="EUR", seller=SELLER_IT,
    buyer=BUYER_IT, due_date=date(2026, 12, 31), order_reference="ORD-551",
    lines=(Line("1", "Pompa idraulica HP-200", D(2), D("1250.00"), "S", D(22)),
           Line("2", "Manuale tecnico", D(3), D("39.90"), "S", D(4)),
           Line("3", "Corso di formazione", D(1), D("800.00"), "E", D(0)),
           Line("4", "Installazione", D("3.5"), D("95.005"), "S", D(22), "HUR")),
    allowances_charges=(AllowanceCharge(False, D("125.00"), "S", D(22), "Sconto quantita",
                                        "95"),),
    exemptions=(Exemption("E", "Esente art. 10 DPR 633/72"),),
    payment_means=PaymentMeans("58", "IT60X0542811101000000123456", "Crossdock Italia SRL"))
CREDIT_NOTE_IT = replace(
    INVOICE_IT, number="NC-2026-0001", type_code=CREDIT_NOTE, allowances_charges=(),
    lines=(Line("1", "Pompa idraulica HP-200 (reso)", D(1), D("1250.00"), "S", D(22)),),
    exemptions=(), preceding_invoice="FT-2026-0001", preceding_issue_date=date(2026, 12, 1))
TRANSMISSION = Transmission("00001", "IT", "01234567890", "ABC1234")


def transmission(progressivo: str = "00001", **fields) -> Transmission:
    return replace(TRANSMISSION, progressivo=progressivo, **fields)
