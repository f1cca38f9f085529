"""An issued fapiao's files as a provider serves them, for the Nuonuo double:
`GET /fp/<number>.pdf|.ofd|.xml`, the links its query answers carry.

- PDF: a one-page PDF (fpdf2) stating the number and amounts;
- OFD: a ZIP with `OFD.xml` (GB/T 33190 namespace, the number and amounts
  as custom data) and `Doc_0/Document.xml`;
- XML: the bureau's data file in the shape of a digital fapiao's
  (EInvoice / Header / EIid, EInvoiceData with seller, buyer and
  BasicInformation's TotalAmWithoutTax, TotalTaxAm, TotalTax-includedAmount,
  TaxSupervisionInfo / InvoiceNumber), the figures summed from the lines
  the double received.
Controls, on the double's `files`: `fail_next = n` answers the next n
downloads HTTP 500; `corrupt = {"xml", ...}` serves those kinds broken (a
PDF that is not one, a ZIP without OFD.xml, XML cut off); `gets` lists the
paths asked for.
"""
from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timezone
from decimal import Decimal
from xml.sax.saxutils import escape

from fpdf import FPDF

FILES_PATH = "/fp/"
TYPES = {"pdf": "application/pdf", "ofd": "application/ofd", "xml": "application/xml"}
OFD_NS = "http://www.ofdspec.org/2016"


class FapiaoFiles:
    """The double's file server: `serve(request, orders)` under the double's lock."""

    def __init__(self):
        self.fail_next = 0           # answer the next n downloads HTTP 500
        self.corrupt: set[str] = set()  # kinds served broken
        self.gets: list[str] = []    # the paths asked for

    def serve(self, request, orders: dict):
        self.gets.append(request.path)
        if self.fail_next:
            self.fail_next -= 1
            return 500, b"Internal Server Error", {"Content-Type": "text/plain"}
        number, _, kind = request.path[len(FILES_PATH):].partition(".")
        order = next((o for o in orders.values() if o.number and o.number == number), None)
        if order is None or kind not in TYPES:
            return 404, b"Not Found", {"Content-Type": "text/plain"}
        facts = _facts(order)
        if kind in self.corrupt:
            content = {"pdf": b"<html>session expired</html>", "ofd": _zip({"x.txt": "x"}),
                       "xml": xml_file(facts)[:60]}[kind]
        else:
            content = {"pdf": pdf_file, "ofd": ofd_file, "xml": xml_file}[kind](facts)
        return 200, content, {"Content-Type": TYPES[kind]}


def _facts(order) -> dict:
    body = json.loads(order.body)
    untaxed = sum(Decimal(str(line["taxExcludedAmount"])) for line in order.lines)
    tax = sum(Decimal(str(line["tax"])) for line in order.lines)
    return {"number": order.number, "untaxed": f"{untaxed:.2f}", "tax": f"{tax:.2f}",
            "total": f"{untaxed + tax:.2f}", "blue": order.blue_number,
            "issued": datetime.fromtimestamp(order.issued_ms / 1000, timezone.utc)
            .strftime("%Y-%m-%d %H:%M:%S"),
            "seller": (body.get("sellerName") or "", body.get("salerTaxNum")
                       or body.get("sellerTaxNo") or ""),
            "buyer": (body.get("buyerName") or "", body.get("buyerTaxNum")
                      or body.get("buyerTaxNo") or "")}


def pdf_file(facts: dict) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for text in (f"Fapiao {facts['number']}", f"Issued {facts['issued']}",
                 f"Untaxed {facts['untaxed']}  Tax {facts['tax']}  Total {facts['total']}"):
        pdf.cell(text=text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def ofd_file(facts: dict) -> bytes:
    custom = "".join(f'<ofd:CustomData Name="{name}">{escape(value)}</ofd:CustomData>'
                     for name, value in (("发票号码", facts["number"]),
                                         ("合计金额", facts["untaxed"]),
                                         ("合计税额", facts["tax"]),
                                         ("开票日期", facts["issued"])))
    root = (f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD xmlns:ofd="{OFD_NS}" '
            f'Version="1.1" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
            f'<ofd:DocID>{facts["number"]}</ofd:DocID><ofd:CustomDatas>{custom}'
            f'</ofd:CustomDatas></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>'
            f'</ofd:DocBody></ofd:OFD>')
    document = (f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document xmlns:ofd="{OFD_NS}">'
                '<ofd:CommonData><ofd:MaxUnitID>1</ofd:MaxUnitID></ofd:CommonData>'
                '<ofd:Pages/></ofd:Document>')
    return _zip({"OFD.xml": root, "Doc_0/Document.xml": document})


def xml_file(facts: dict) -> bytes:
    (seller, seller_id), (buyer, buyer_id) = facts["seller"], facts["buyer"]
    red = (f"<RedInvoiceInformation><OriginalInvoiceNumber>{facts['blue']}"
           "</OriginalInvoiceNumber></RedInvoiceInformation>" if facts["blue"] else "")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<EInvoice>'
        f'<Header><EIid>{facts["number"]}</EIid><EInvoiceTag>SWEI3200</EInvoiceTag>'
        '<Version>0.1</Version></Header><EInvoiceData>'
        f'<SellerInformation><SellerIdNum>{escape(seller_id)}</SellerIdNum>'
        f'<SellerName>{escape(seller)}</SellerName></SellerInformation>'
        f'<BuyerInformation><BuyerIdNum>{escape(buyer_id)}</BuyerIdNum>'
        f'<BuyerName>{escape(buyer)}</BuyerName></BuyerInformation>'
        f'<BasicInformation><TotalAmWithoutTax>{facts["untaxed"]}</TotalAmWithoutTax>'
        f'<TotalTaxAm>{facts["tax"]}</TotalTaxAm>'
        f'<TotalTax-includedAmount>{facts["total"]}</TotalTax-includedAmount>'
        f'<RequestTime>{facts["issued"]}</RequestTime></BasicInformation>{red}'
        f'</EInvoiceData><TaxSupervisionInfo><InvoiceNumber>{facts["number"]}</InvoiceNumber>'
        f'<IssueTime>{facts["issued"]}</IssueTime></TaxSupervisionInfo></EInvoice>'
    ).encode()


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()
