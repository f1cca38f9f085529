"""Our fapiao model in Nuonuo's words, and Nuonuo's results in ours (pure).

Field names are the published ones of the 诺税通 SaaS API pages:
- `requestBillingNew` {"order": {...}}: buyerName, buyerTaxNum, buyerTel,
  buyerAddress, buyerAccount, salerTaxNum, salerTel, salerAddress,
  salerAccount, orderNo ("每个企业唯一"), invoiceDate (order time,
  "yyyy-MM-dd HH:mm:ss"), clerk, remark, pushMode (-1 no delivery, 0 e-mail),
  email, invoiceType (1 blue), invoiceLine (bs: 数电专票, pc: 数电普票), and
  invoiceDetail[] with goodsName, goodsCode, specType, unit, num, price,
  withTaxFlag (1: price includes tax), taxRate (a fraction), tax,
  taxExcludedAmount, taxIncludedAmount (all three sent: left out, Nuonuo
  recomputes them from price and quantity), invoiceLineProperty (0 normal).
- `queryInvoiceResult` rows: serialNo, orderNo, status (2 开票完成, the only
  final success; 20 开票中, 21 开票成功签章中; 22 开票失败, 24 开票成功签章失败;
  3 已作废, 31 作废中), statusMsg, failCause, allElectronicInvoiceNumber
  (20 digits for every digital fapiao; invoiceNo is the paper number on
  paper ones), invoiceTime (epoch milliseconds), exTaxAmount, taxAmount,
  orderAmount, pdfUrl, ofdUrl, xmlUrl, oldEleInvoiceNumber (a red fapiao's
  blue number).
- `saveInvoiceRedConfirm` (红字确认单申请; the red fapiao of a digital
  e-fapiao is issued by itself once the form needs no confirmation or both
  sides confirmed, under the form's orderNo): billId (unique, ≤32),
  blueInvoiceLine, applySource (0 seller), blueElecInvoiceNumber,
  sellerTaxNo, sellerName, buyerTaxNo, buyerName, redReason (1 销货退回,
  2 开票有误, 3 服务中止, 4 销售折让), orderNo, and detail[] only for a
  partial correction: blueDetailIndex (the blue line's 1-based position),
  goodsName, unit, specType, num (negative), taxExcludedPrice (positive),
  taxExcludedAmount and taxAmount (negative), taxRate, goodsCode.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from .fapiao import (Documents, FapiaoKind, FapiaoLine, FapiaoRequest, FapiaoResult,
                     FapiaoState, RedLetterReason, RedLetterRequest)

INVOICE_LINES = {FapiaoKind.SPECIAL: "bs", FapiaoKind.ORDINARY: "pc"}
RED_REASONS = {RedLetterReason.SALES_RETURN: "1", RedLetterReason.INVOICING_ERROR: "2",
               RedLetterReason.SERVICE_STOPPED: "3", RedLetterReason.SALES_ALLOWANCE: "4"}
ISSUED = "2"
PENDING = {"20", "21"}
CHINA = ZoneInfo("Asia/Shanghai")


def _text(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else "0"


def order_body(request: FapiaoRequest) -> dict:
    buyer, seller = request.buyer, request.seller
    order = {
        "buyerName": buyer.name, "buyerTaxNum": buyer.tax_id, "buyerTel": buyer.phone,
        "buyerAddress": buyer.address, "buyerAccount": buyer.bank_account,
        "salerTaxNum": seller.tax_id, "salerTel": seller.phone,
        "salerAddress": seller.address, "salerAccount": seller.bank_account,
        "orderNo": request.order_no,
        "invoiceDate": request.ordered_at.strftime("%Y-%m-%d %H:%M:%S"),
        "clerk": request.clerk, "remark": request.remarks,
        "pushMode": "0" if request.buyer_email else "-1", "email": request.buyer_email,
        "invoiceType": "1", "invoiceLine": INVOICE_LINES[request.kind],
        "invoiceDetail": [_detail(line) for line in request.lines],
    }
    return {"order": order}


def _detail(line: FapiaoLine) -> dict:
    amounts = line.amounts()
    return {"goodsName": line.name, "goodsCode": line.tax_code, "specType": line.specification,
            "unit": line.unit, "num": _text(line.quantity), "price": _text(line.unit_price),
            "withTaxFlag": "1" if line.tax_included else "0", "taxRate": _text(line.tax_rate),
            "tax": str(amounts.tax), "taxExcludedAmount": str(amounts.untaxed),
            "taxIncludedAmount": str(amounts.total), "invoiceLineProperty": "0"}


def red_confirm_body(request: RedLetterRequest) -> dict:
    body = {
        "billId": request.order_no, "blueInvoiceLine": INVOICE_LINES[request.blue_kind],
        "applySource": "0", "blueElecInvoiceNumber": request.blue_number,
        "sellerTaxNo": request.seller.tax_id, "sellerName": request.seller.name,
        "buyerTaxNo": request.buyer.tax_id, "buyerName": request.buyer.name,
        "redReason": RED_REASONS[request.reason], "orderNo": request.order_no,
    }
    if request.lines:
        body["detail"] = [_red_detail(part.blue_line_no, part.line) for part in request.lines]
    return body


def _red_detail(blue_line_no: int, line: FapiaoLine) -> dict:
    amounts = line.amounts()
    untaxed_price = amounts.untaxed / line.quantity
    return {"blueDetailIndex": str(blue_line_no), "goodsName": line.name, "unit": line.unit,
            "specType": line.specification, "num": _text(-line.quantity),
            "taxExcludedPrice": _text(untaxed_price.quantize(Decimal("1e-8"))),
            "taxExcludedAmount": str(-amounts.untaxed), "taxAmount": str(-amounts.tax),
            "taxRate": _text(line.tax_rate), "goodsCode": line.tax_code}


def result_of(order_no: str, row: dict) -> FapiaoResult:
    """One queryInvoiceResult row as our normalised result."""
    status = str(row.get("status") or "")
    serial = str(row.get("serialNo") or "")
    if status in PENDING:
        return FapiaoResult(order_no, FapiaoState.PENDING, serial=serial)
    if status != ISSUED:  # 22, 24, 3, 31: nothing usable came out
        return FapiaoResult(order_no, FapiaoState.FAILED, serial=serial, code=status,
                            message=str(row.get("failCause") or row.get("statusMsg") or ""))
    blue = str(row.get("oldEleInvoiceNumber") or "")
    millis = row.get("invoiceTime")
    return FapiaoResult(
        order_no, FapiaoState.RED_LETTERED if blue else FapiaoState.ISSUED, serial=serial,
        number=str(row.get("allElectronicInvoiceNumber") or row.get("invoiceNo") or ""),
        issued_at=datetime.fromtimestamp(int(millis) / 1000, CHINA) if millis else None,
        untaxed=_amount(row.get("exTaxAmount")), tax=_amount(row.get("taxAmount")),
        total=_amount(row.get("orderAmount")), corrects=blue,
        documents=Documents(pdf_url=row.get("pdfUrl") or "", ofd_url=row.get("ofdUrl") or "",
                            xml_url=row.get("xmlUrl") or ""))


def _amount(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value)).quantize(Decimal("0.01"))
