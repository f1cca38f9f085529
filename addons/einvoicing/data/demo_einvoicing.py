"""The e-invoicing demo: a seller, one customer per channel, an order each,
and the fapiao tax classification codes of the sales demo's products
(loaded by services/load_demo.py)."""
from __future__ import annotations

SOURCE = "demo:einvoicing-"  # + the customer's key, on contacts' `source`

SELLER = {"name": "Crossdock Demo Ltd", "vat_id": "DE811569869",  # Latin-1: FatturaPA
          "vat_id_it": "IT02910370150",  # registered for VAT in Italy: SdI
          "tax_registration": "91310000MA1FL8XQ37", "street": "Alexanderplatz 1",
          "city": "Berlin", "postal_code": "10178", "country_code": "DE",
          "email": "billing@crossdock.example", "phone": "+49 30 1234567",
          "iban": "DE89370400440532013000", "bank_details": "中国银行上海分行 4563 5100 0000 0000",
          "endpoint": "DE811569869", "endpoint_scheme": "9930"}

# key, company fields, tax of its lines (created when missing: name, rate), currency, lines
CUSTOMERS = (
    ("de-peppol", {"name": "Berliner Logistik GmbH", "tax_id": "DE136695976",
                   "street": "Hauptstr. 1", "city": "Berlin", "postal_code": "10115",
                   "country_code": "DE", "einvoice_channel": "peppol_ubl",
                   "einvoice_endpoint": "DE136695976", "einvoice_endpoint_scheme": "9930"},
     ("USt 19%", "19"), "EUR", (("CD-HS100", "4"), ("CD-TS30", "25"))),
    ("de-facturx", {"name": "Hamburger Kühlhaus AG", "tax_id": "DE129273398",
                    "street": "Am Sandtorkai 5", "city": "Hamburg", "postal_code": "20457",
                    "country_code": "DE", "einvoice_channel": "facturx",
                    "email": "rechnung@kuehlhaus.example"},
     ("USt 19%", "19"), "EUR", (("CD-LP200", "1"), ("CD-RFID1K", "3"))),
    ("it-sdi", {"name": "Milano Ricambi S.r.l.", "tax_id": "IT00743110157",
                "street": "Via Torino 12", "city": "Milano", "postal_code": "20123",
                "province": "MI", "country_code": "IT", "einvoice_channel": "sdi",
                "einvoice_recipient_code": "W7YVJK9", "einvoice_fiscal_code": "00743110157"},
     ("IVA 22%", "22"), "EUR", (("CD-TAB8", "2"), ("CD-GW10", "1"))),
    ("cn-fapiao", {"name": "上海冷链物流有限公司", "tax_id": "91440300MA5DC8KX78",
                   "street": "浦东新区张江路 88 号", "city": "上海", "postal_code": "201203",
                   "country_code": "CN", "einvoice_channel": "fapiao",
                   "fapiao_kind": "special"},
     ("VAT 13%", "13"), "CNY", (("CD-HS100", "10"), ("CD-TS30", "40"))),
)

# 税收分类编码 of the sales demo's products (19 digits)
FAPIAO_TAX_CODES = {"CD-HS100": "1090511030000000000", "CD-LP200": "1090512010000000000",
                    "CD-TAB8": "1090511010000000000", "CD-RFID1K": "1090519990000000000",
                    "CD-GW10": "1090513990000000000", "CD-TS30": "1090620990000000000",
                    "CD-WMS-U": "3040201030000000000"}
RED_LETTER_LINE = "CD-TS30"  # the Chinese customer returns one sensor: a red-letter fapiao
