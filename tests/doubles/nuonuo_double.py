"""A Nuonuo open platform stand-in (诺税通 SaaS API): the calls our Nuonuo
provider makes, over real HTTP, in memory, with the bureau's asynchrony.

Published contract it follows (the API pages of `nuonuo.OpeMplatform.
requestBillingNew`, `queryInvoiceResult` and `saveInvoiceRedConfirm`; the
signing as the official samples do it):
- `POST /open/v1/services?senid=&nonce=&timestamp=&appkey=` with headers
  `X-Nuonuo-Sign`, `accessToken`, `userTax`, `method`; the signature is
  recomputed here from the raw body, independently of the client:
  base64(HMAC-SHA1(appSecret, "a=services&l=v1&p=open&k=..&i=..&n=..&t=..&f=<body>"));
- answers `{"code", "describe", "result"}` with HTTP 200, `E0000` success;
- `requestBillingNew`: orderNo unique per seller: the same body again gets
  the same invoiceSerialNum (nothing new issued), another body under a
  known orderNo is refused `E9106` "订单编号或流水号不能重复";
- `queryInvoiceResult` by orderNos or serialNos: status 20 (开票中) for
  `pending_seconds`, then 2 (开票完成) with a 20-digit
  allElectronicInvoiceNumber, invoiceTime (epoch ms), exTaxAmount,
  taxAmount, orderAmount summed from the lines received, pdfUrl / ofdUrl /
  xmlUrl; or 22 (开票失败) with failCause when a line's goodsCode is not in
  the bureau's catalogue (`unknown_tax_codes`); none known: `E9500`;
- `POST /accessToken` (self-use apps), form-encoded client_id (appKey),
  client_secret (appSecret), grant_type=client_credentials: a new token
  `{"access_token", "expires_in": "86400"}`, or `{"error": "070304"/"070305",
  "error_description"}` for a wrong client id or secret and 070315 for
  another content type; `expire_tokens()` ends every token fetched so far
  (the 24 hours passed), which the gateway then refuses;
- `saveInvoiceRedConfirm`: for a blue fapiao the buyer has not booked the
  form needs no confirmation (01), so the red fapiao is issued under the
  form's orderNo like a blue one, negative, with oldEleInvoiceNumber, and is
  unknown to queryInvoiceResult until issued; a billId sent again is
  refused as a duplicate (E9106), as clients in the wild report. For a blue
  fapiao the buyer booked (`buyer_books(number)`) the form waits for the
  buyer (02) until `buyer_confirms` (04, then the red fapiao is issued as
  above), `buyer_refuses` (05) or `form_expires` (07, the 72 hours);
- `queryInvoiceRedConfirm` {"identity": "0", billId / billNo / billUuid /
  billStatus, pageSize (at most 50), pageNo}: {"total", "list"} of the
  forms, each with billNo, billUuid, billStatus, billMessage, openStatus
  ("1" once the red fapiao is issued, with orderNo and invoiceSerialNum),
  billTime / confirmTime (Beijing time), the parties, the blue number and
  the red totals; an unknown billId: total 0.

The double's own choices, where the pages we read name no code:
`REFUSED_APP_KEY` 070101 "获取app密钥失败或appkey无效" and `REFUSED_SIGNATURE`
(gateway codes of the 070 family, as third-party clients record them);
`REFUSED_TOKEN` is the published common code 070301 "accessToken不匹配/或appKey
不匹配", answered for an expired token too (the pages name no other);
`ALREADY_RED` for a second red-letter of a fully corrected blue fapiao, and
`BLUE_UNKNOWN` for a blue number it never issued, `BAD_FORM_QUERY` for a
form query not as the seller or asking more than 50 a page. `fail_after_taking = n`:
the next n requestBillingNew are taken and then answered HTTP 502, as a
gateway that lost the answer (the caller must not issue twice).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from .json_http import Request
from .fapiao_files import FILES_PATH, FapiaoFiles

PATH = "/open/v1/services"
OK = "E0000"
DUPLICATE = ("E9106", "订单编号或流水号不能重复")
NOT_FOUND = ("E9500", "发票不存在")
REFUSED_APP_KEY = ("070101", "获取app密钥失败或appkey无效")
REFUSED_SIGNATURE = ("070304", "签名校验失败")
REFUSED_TOKEN = ("070301", "accessToken不匹配/或appKey不匹配")
TOKEN_PATH = "/accessToken"
ALREADY_RED = ("DOUBLE-RED", "该蓝票已冲红，不能再次全额冲红")
BLUE_UNKNOWN = ("DOUBLE-BLUE", "对应蓝票不存在")
BAD_FORM_QUERY = ("DOUBLE-FORM", "identity须为0（销方），pageSize不超过50")
BAD_TAX_CODE = "9999999999999999999"  # syntactically fine, unknown to the bureau
CHINA = ZoneInfo("Asia/Shanghai")


@dataclass
class Order:
    order_no: str
    body: str                   # canonical JSON of what was asked
    serial: str
    lines: list[dict]           # invoiceDetail rows (a red one: negative figures)
    created: float
    blue_number: str = ""       # a red fapiao: the blue one it corrects
    red_reason: str = ""
    full_red: bool = False
    number: str = ""
    status: str = "20"
    fail_cause: str = ""
    issued_ms: int = 0


@dataclass
class RedForm:
    """A red-letter confirmation form: the red fapiao's order waits in it until
    the form needs no (more) confirmation."""
    bill_id: str
    number: str                 # billNo, the bureau's 红字确认单编号
    uuid: str
    status: str                 # billStatus
    body: dict                  # what was asked
    order: Order                # the red order, placed with the bureau once confirmed
    bill_time: str
    confirm_time: str = ""
    message: str = ""           # billMessage


class NuonuoDouble:
    def __init__(self, *, app_key="nn-app-key", app_secret="nn-app-secret",
                 token="nn-access-token", taxnum="91330106MA2AYNWD8M",
                 pending_seconds=0.3, unknown_tax_codes=(BAD_TAX_CODE,)):
        self.app_key, self.app_secret, self.token, self.taxnum = (app_key, app_secret, token,
                                                                  taxnum)
        self.pending_seconds, self.unknown_tax_codes = pending_seconds, set(unknown_tax_codes)
        self.orders: dict[str, Order] = {}
        self.red_forms: dict[str, str] = {}   # billId -> body
        self.forms: dict[str, RedForm] = {}   # billId -> the form's state
        self.booked: set[str] = set()         # blue numbers the buyer booked
        self.calls: list[tuple[str, str]] = []  # (method, answer code)
        self.placed: list[str] = []  # order numbers, one per fapiao put to the bureau
        self.fetched_tokens: dict[str, bool] = {}  # token -> still valid
        self.fail_after_taking = 0
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self.files = FapiaoFiles()  # GET /fp/<number>.pdf|ofd|xml: the issued fapiao's files

    # -- envelope ---------------------------------------------------------------
    def handle(self, request: Request):
        if request.method == "GET" and request.path.startswith(FILES_PATH):
            with self._lock:
                return self.files.serve(request, self.orders)
        if request.method == "POST" and request.path == TOKEN_PATH:
            with self._lock:
                return 200, self._token(request), {}
        if request.method != "POST" or request.path != PATH:
            return 404, {"code": "404", "describe": "not found"}, {}
        method = request.headers.get("method", "")
        with self._lock:
            code, describe, result = self._refusal(request) or self._dispatch(method, request)
            self.calls.append((method, code))
            if code == OK and method.endswith(".requestBillingNew") and self.fail_after_taking:
                self.fail_after_taking -= 1
                return 502, {"message": "Bad Gateway"}, {}
        return 200, {"code": code, "describe": describe, "result": result}, {}

    def _token(self, request: Request) -> dict:
        if not request.headers.get("content-type", "").startswith(
                "application/x-www-form-urlencoded"):
            return {"error": "070315", "error_description": "Incorrect content-type"}
        form = {k: v[-1] for k, v in parse_qs(request.raw_body.decode()).items()}
        if form.get("client_id") != self.app_key:
            return {"error": "070304",
                    "error_description": f"Incorrect clientId[{form.get('client_id')}]"}
        if form.get("client_secret") != self.app_secret:
            return {"error": "070305", "error_description": "Incorrect clientSecret[***]"}
        if form.get("grant_type") != "client_credentials":
            return {"error": "070307", "error_description": "Incorrect appType"}
        token = f"nn-fetched-{next(self._numbers)}"
        self.fetched_tokens[token] = True
        return {"access_token": token, "expires_in": "86400"}

    def expire_tokens(self) -> None:
        """The fetched tokens' 24 hours are over."""
        with self._lock:
            self.fetched_tokens = dict.fromkeys(self.fetched_tokens, False)

    def _refusal(self, request: Request):
        q = request.query
        if q.get("appkey") != self.app_key:
            return (*REFUSED_APP_KEY, None)
        if len(q.get("senid", "")) != 32 or not q.get("nonce", "").isdigit() \
                or not q.get("timestamp", "").isdigit():
            return (*REFUSED_SIGNATURE, None)
        text = (f"a=services&l=v1&p=open&k={q['appkey']}&i={q['senid']}&n={q['nonce']}"
                f"&t={q['timestamp']}&f={request.raw_body.decode()}")
        expected = base64.b64encode(hmac.new(self.app_secret.encode(), text.encode(),
                                             hashlib.sha1).digest()).decode()
        if not hmac.compare_digest(expected, request.headers.get("x-nuonuo-sign", "")):
            return (*REFUSED_SIGNATURE, None)
        token = request.headers.get("accesstoken")
        if token != self.token and not self.fetched_tokens.get(token):
            return (*REFUSED_TOKEN, None)
        return None

    def _dispatch(self, method: str, request: Request):
        body = json.loads(request.raw_body or b"{}", parse_float=Decimal)
        calls = {"nuonuo.OpeMplatform.requestBillingNew": self._issue,
                 "nuonuo.OpeMplatform.queryInvoiceResult": self._query,
                 "nuonuo.OpeMplatform.saveInvoiceRedConfirm": self._red_confirm,
                 "nuonuo.OpeMplatform.queryInvoiceRedConfirm": self._query_forms}
        if method not in calls:
            return "E9999", f"方法{method}不存在", None
        return calls[method](body, request.headers.get("host", "127.0.0.1"))

    # -- calls ------------------------------------------------------------------
    def _issue(self, body: dict, host: str):
        order = body.get("order") or {}
        order_no = str(order.get("orderNo") or "")
        canonical = json.dumps(order, sort_keys=True, ensure_ascii=False, default=str)
        known = self.orders.get(order_no)
        if known is not None:
            if known.body == canonical:
                return OK, "开票提交成功", {"invoiceSerialNum": known.serial}
            return (*DUPLICATE, None)
        placed = self._place(order_no, canonical, order.get("invoiceDetail") or [])
        return OK, "开票提交成功", {"invoiceSerialNum": placed.serial}

    def _query(self, body: dict, host: str):
        wanted_orders = set(body.get("orderNos") or ())
        wanted_serials = set(body.get("serialNos") or ())
        found = [self._settled(o) for o in self.orders.values()
                 if o.order_no in wanted_orders or o.serial in wanted_serials]
        # the bureau issues a red fapiao by itself: Nuonuo knows it once it is issued
        rows = [self._row(o, host) for o in found if not (o.blue_number and o.status == "20")]
        if not rows:
            return (*NOT_FOUND, None)
        return OK, "查询成功", rows

    def _red_confirm(self, body: dict, host: str):
        bill_id = str(body.get("billId") or "")
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
        if bill_id in self.red_forms:
            return (*DUPLICATE, None)
        blue = next((o for o in self.orders.values() if o.number
                     and o.number == body.get("blueElecInvoiceNumber")), None)
        if blue is None or blue.blue_number:
            return (*BLUE_UNKNOWN, None)
        reds = [o for o in self.orders.values() if o.blue_number == blue.number]
        if any(o.full_red for o in reds) or (reds and not body.get("detail")):
            return (*ALREADY_RED, None)
        order_no = str(body.get("orderNo") or bill_id)
        if order_no in self.orders:
            return (*DUPLICATE, None)
        if body.get("detail"):
            lines = [{"taxExcludedAmount": d["taxExcludedAmount"], "tax": d["taxAmount"]}
                     for d in body["detail"]]
        else:
            lines = [{"taxExcludedAmount": -Decimal(str(d["taxExcludedAmount"])),
                      "tax": -Decimal(str(d["tax"]))} for d in blue.lines]
        self.red_forms[bill_id] = canonical
        order = Order(order_no, canonical, "", lines, 0.0, blue_number=blue.number,
                      red_reason=str(body.get("redReason") or ""), full_red=not body.get("detail"))
        self._file_form(bill_id, body, order)
        return OK, "申请成功", bill_id

    def _query_forms(self, body: dict, host: str):
        size, page = int(body.get("pageSize") or 10), int(body.get("pageNo") or 1)
        if str(body.get("identity")) != "0" or not 0 < size <= 50 or page < 1:
            return (*BAD_FORM_QUERY, None)
        wanted = {"billId": "bill_id", "billNo": "number", "billUuid": "uuid",
                  "billStatus": "status"}
        forms = [form for form in self.forms.values()
                 if all(getattr(form, ours) == str(body[theirs])
                        for theirs, ours in wanted.items() if body.get(theirs))]
        rows = [self._form_row(form) for form in forms[(page - 1) * size:page * size]]
        return OK, "查询成功", {"total": len(forms), "list": rows}

    # -- red-letter forms (the bureau's, the buyer's part as test controls) -----------
    def _file_form(self, bill_id: str, body: dict, order: Order) -> None:
        waits = order.blue_number in self.booked
        form = RedForm(bill_id, f"4403{next(self._numbers):016d}", f"{next(self._numbers):032x}",
                       "02" if waits else "01", body, order, _china_now())
        self.forms[bill_id] = form
        if not waits:
            self._place_red(form)

    def _place_red(self, form: RedForm) -> None:
        red = self._place(form.order.order_no, form.order.body, form.order.lines,
                          blue_number=form.order.blue_number, red_reason=form.order.red_reason,
                          full_red=form.order.full_red)
        form.order = red

    def buyer_books(self, blue_number: str) -> None:
        """The buyer booked (用途确认/入账) the blue fapiao: its red-letter forms wait for them."""
        with self._lock:
            self.booked.add(blue_number)

    def buyer_confirms(self, bill_id: str) -> None:
        self._answer_form(bill_id, "04")

    def buyer_refuses(self, bill_id: str, reason: str = "") -> None:
        self._answer_form(bill_id, "05", reason)

    def form_expires(self, bill_id: str) -> None:
        """72 hours passed with no answer from the buyer: the bureau voids the form."""
        self._answer_form(bill_id, "07")

    def _answer_form(self, bill_id: str, status: str, message: str = "") -> None:
        with self._lock:
            form = self.forms[bill_id]
            if form.status != "02":
                raise ValueError(f"form {bill_id} is {form.status}, not waiting for the buyer")
            form.status, form.message, form.confirm_time = status, message, _china_now()
            if status == "04":
                self._place_red(form)

    def _form_row(self, form: RedForm) -> dict:
        body, order = form.body, form.order
        issued = order.order_no in self.orders and self._settled(order).status == "2"
        untaxed = sum(Decimal(str(line["taxExcludedAmount"])) for line in order.lines)
        tax = sum(Decimal(str(line["tax"])) for line in order.lines)
        row = {"billId": form.bill_id, "billNo": form.number, "billUuid": form.uuid,
               "billStatus": form.status, "billMessage": form.message, "requestStatus": "",
               "openStatus": "1" if issued else "0", "applySource": "0",
               "blueInvoiceLine": body.get("blueInvoiceLine"),
               "blueInvoiceNumber": order.blue_number, "billTime": form.bill_time,
               "confirmTime": form.confirm_time, "sellerTaxNo": body.get("sellerTaxNo"),
               "sellerName": body.get("sellerName"), "buyerTaxNo": body.get("buyerTaxNo"),
               "buyerName": body.get("buyerName"), "taxExcludedAmount": f"{untaxed:.2f}",
               "taxAmount": f"{tax:.2f}", "redReason": order.red_reason}
        if issued:
            row.update(orderNo=order.order_no, invoiceSerialNum=order.serial)
        return row

    # -- the bureau ---------------------------------------------------------------
    def _place(self, order_no: str, canonical: str, lines: list[dict], **red) -> Order:
        serial = f"{int(time.time() * 1000)}{next(self._numbers):06d}"
        order = Order(order_no, canonical, serial, lines, time.monotonic(), **red)
        self.orders[order_no] = order
        self.placed.append(order_no)
        return order

    def _settled(self, order: Order) -> Order:
        if order.status != "20" or time.monotonic() - order.created < self.pending_seconds:
            return order
        unknown = [line["goodsCode"] for line in order.lines
                   if line.get("goodsCode") in self.unknown_tax_codes]
        if unknown:
            order.status = "22"
            order.fail_cause = f"商品编码{unknown[0]}在税收分类编码表中不存在"
        else:
            order.status, order.issued_ms = "2", int(time.time() * 1000)
            order.number = f"2633{next(self._numbers):016d}"
        return order

    def _row(self, order: Order, host: str) -> dict:
        row = {"serialNo": order.serial, "orderNo": order.order_no, "status": order.status,
               "statusMsg": {"20": "开票中", "22": "开票失败", "2": "开票完成"}[order.status],
               "failCause": order.fail_cause, "invoiceType": 2 if order.blue_number else 1}
        if order.status == "2":
            untaxed = sum(Decimal(str(line["taxExcludedAmount"])) for line in order.lines)
            tax = sum(Decimal(str(line["tax"])) for line in order.lines)
            base = f"http://{host}/fp/{order.number}"
            row.update(allElectronicInvoiceNumber=order.number, invoiceNo=order.number,
                       invoiceTime=order.issued_ms, exTaxAmount=f"{untaxed:.2f}",
                       taxAmount=f"{tax:.2f}", orderAmount=f"{untaxed + tax:.2f}",
                       pdfUrl=f"{base}.pdf", ofdUrl=f"{base}.ofd", xmlUrl=f"{base}.xml",
                       oldEleInvoiceNumber=order.blue_number, redReason=order.red_reason)
        return row

    def issued_for(self, order_no: str) -> int:
        """How many fapiao the double put to the bureau under `order_no`."""
        return self.placed.count(order_no)


def _china_now() -> str:
    return datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S")
