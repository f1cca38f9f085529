"""A red-letter confirmation form (红字确认单) in Nuonuo's words and ours (pure).

Per the published page of `nuonuo.OpeMplatform.queryInvoiceRedConfirm`
(诺税通saas红字确认单查询接口): asked with identity "0" (we are the seller) and
the form's billId (our red order number), it answers {"total", "list"},
each row with billId, billNo (红字确认单编号), billUuid, billStatus,
billMessage, requestStatus, openStatus ("1": the red fapiao is issued),
applySource, blueInvoiceLine, blueInvoiceNumber, billTime and confirmTime
("yyyy-MM-dd HH:mm:ss", Beijing time), the parties, taxExcludedAmount,
taxAmount, redReason, and orderNo / invoiceSerialNum once the red fapiao
exists. billStatus, in the bureau's words:
01 无需确认, 02 销方录入待购方确认, 03 购方录入待销方确认, 04 购销双方已确认,
05 作废（销方录入购方否认）, 06 作废（购方录入销方否认）, 07 作废（超72小时未确认）,
08 作废（发起方已撤销）, 09 作废（确认后撤销）, 15 申请中, 16 申请失败 (Nuonuo's own).
"""
from __future__ import annotations

from datetime import datetime

from .fapiao import AWAITS_BUYER, AWAITS_SELLER, FapiaoResult, FapiaoState, RedForm
from .nuonuo_order import CHINA

WORDS = {"01": "无需确认", "02": "销方录入待购方确认", "03": "购方录入待销方确认",
         "04": "购销双方已确认", "05": "作废（销方录入购方否认）",
         "06": "作废（购方录入销方否认）", "07": "作废（超72小时未确认）",
         "08": "作废（发起方已撤销）", "09": "作废（确认后撤销）", "15": "申请中",
         "16": "申请失败"}
AWAITS = {"02": AWAITS_BUYER, "03": AWAITS_SELLER}
OVER = frozenset({"05", "06", "07", "08", "09", "16"})  # no red fapiao comes of it
SELLER_IDENTITY = "0"


def form_query(bill_id: str) -> dict:
    return {"identity": SELLER_IDENTITY, "billId": bill_id}


def form_result(order_no: str, row: dict) -> FapiaoResult:
    """A form whose red fapiao does not exist yet: failed once it is over,
    else pending (waiting for a side's confirmation, or in the bureau's hands)."""
    status = str(row.get("billStatus") or "")
    form = RedForm(number=str(row.get("billNo") or ""), status=status,
                   words=WORDS.get(status, f"billStatus {status}"),
                   awaits=AWAITS.get(status, ""), since=_time(row.get("billTime")),
                   message=str(row.get("billMessage") or ""))
    if status in OVER:
        words = f"{form.words}: {form.message}" if form.message else form.words
        return FapiaoResult(order_no, FapiaoState.FAILED, code=status, message=words,
                            red_form=form)
    return FapiaoResult(order_no, FapiaoState.PENDING, red_form=form)


def _time(value) -> datetime | None:
    try:
        return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
    except ValueError:  # absent, or a form of time the page does not show: no "since"
        return None
