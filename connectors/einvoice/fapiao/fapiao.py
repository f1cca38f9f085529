"""The provider-neutral fapiao: what we ask for, and what comes back.

A blue fapiao request carries our order or invoice number as `order_no`,
which a provider must treat as its idempotency key (a retry never issues a
second fapiao). Amounts are in yuan; a line's untaxed amount, tax and total
are derived in one place (`FapiaoLine.amounts`), rounded half up to the fen
as the bureau's tools do (tax = untaxed x rate; for a tax-inclusive price,
untaxed = total / (1 + rate) and tax = total - untaxed).

The contract (`FapiaoProvider`) is asynchronous, as every provider is: the
bureau issues minutes or seconds after the request.
1. `issue(request)` submits (idempotent on `order_no`) -> a pending result;
2. `result(order_no)` polls (`results(order_nos)` several at once; a
   provider's callback carries the same) ->
   pending / issued (20-digit number, date, amounts, tax) / failed
   (provider code and words) / red_lettered (for a red fapiao: its number
   and the blue one's);
3. the issued result carries the documents' URLs (PDF / OFD / XML), which
   expire; `documents(result)` fetches and checks the files (documents.py);
4. `red_letter(request)` applies for the red-letter confirmation
   (红字确认单), which issues the red fapiao under the request's own
   `order_no`; poll it with `result`;
5. until that red fapiao exists, `result` of its order number says how the
   form is (`red_form`): pending while the bureau works on it or while it
   waits for one side's confirmation (`RedForm.awaits`: the buyer has booked
   the blue fapiao and must agree; the bureau voids a form unconfirmed for
   72 hours), failed (code and words) once voided, refused or not accepted:
   a new form then needs a new order number. A provider whose forms never
   wait leaves `red_form` empty.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

FEN = Decimal("0.01")


class FapiaoKind(enum.Enum):
    SPECIAL = "special"    # 数电专票: the buyer may deduct input VAT
    ORDINARY = "ordinary"  # 数电普票


class RedLetterReason(enum.Enum):
    INVOICING_ERROR = "开票有误"
    SALES_RETURN = "销货退回"
    SERVICE_STOPPED = "服务中止"
    SALES_ALLOWANCE = "销售折让"


class FapiaoState(enum.Enum):
    PENDING = "pending"
    ISSUED = "issued"
    FAILED = "failed"
    RED_LETTERED = "red_lettered"


def cents(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    untaxed: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True)
class FapiaoLine:
    """One goods or service line; `tax_code` is the 19-digit 税收分类编码."""
    tax_code: str
    name: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal          # a fraction: 0.13, 0.06, 0
    tax_included: bool = False  # unit_price includes VAT
    specification: str = ""    # 规格型号
    unit: str = ""

    def amounts(self) -> LineAmounts:
        amount = cents(self.quantity * self.unit_price)
        if self.tax_included:
            untaxed = cents(amount / (1 + self.tax_rate))
            return LineAmounts(untaxed, amount - untaxed, amount)
        tax = cents(amount * self.tax_rate)
        return LineAmounts(amount, tax, amount + tax)


@dataclass(frozen=True)
class Party:
    name: str
    tax_id: str = ""   # 统一社会信用代码 / 纳税人识别号
    address: str = ""
    phone: str = ""
    bank_account: str = ""  # 开户行及账号


@dataclass(frozen=True)
class FapiaoRequest:
    order_no: str            # ours; the provider's idempotency key
    kind: FapiaoKind
    buyer: Party
    seller: Party
    lines: tuple[FapiaoLine, ...]
    ordered_at: datetime     # the order's time, sent as the provider's order time
    clerk: str               # 开票人
    remarks: str = ""
    buyer_email: str = ""

    def totals(self) -> LineAmounts:
        parts = [line.amounts() for line in self.lines]
        return LineAmounts(sum((p.untaxed for p in parts), Decimal(0)),
                           sum((p.tax for p in parts), Decimal(0)),
                           sum((p.total for p in parts), Decimal(0)))


@dataclass(frozen=True)
class RedLetterLine:
    """A partial correction of the blue line at `blue_line_no` (1-based, the blue's order)."""
    blue_line_no: int
    line: FapiaoLine         # quantity and amounts as positive figures; sent negative


@dataclass(frozen=True)
class RedLetterRequest:
    order_no: str            # the red fapiao's own order number (idempotency key)
    blue_number: str         # the blue fapiao's 20-digit number
    blue_kind: FapiaoKind
    reason: RedLetterReason
    buyer: Party
    seller: Party
    lines: tuple[RedLetterLine, ...] = ()   # empty: the whole blue fapiao


@dataclass(frozen=True)
class Documents:
    pdf_url: str = ""
    ofd_url: str = ""        # the original voucher where the bureau issues one
    xml_url: str = ""


@dataclass(frozen=True)
class RedForm:
    """A red-letter confirmation form (红字确认单) as the bureau keeps it."""
    number: str                      # the bureau's form number (empty until it has one)
    status: str                      # the provider's status code
    words: str                       # that status in the bureau's words
    awaits: str = ""                 # whose confirmation it waits for: AWAITS_* or ""
    since: datetime | None = None    # when it was filled in (waiting since)
    message: str = ""                # the provider's remark on it


AWAITS_BUYER, AWAITS_SELLER = "buyer", "seller"


@dataclass(frozen=True)
class FapiaoResult:
    order_no: str
    state: FapiaoState
    serial: str = ""                 # the provider's request serial
    number: str = ""                 # 20-digit fapiao number once issued
    issued_at: datetime | None = None
    untaxed: Decimal | None = None   # negative on a red fapiao
    tax: Decimal | None = None
    total: Decimal | None = None
    corrects: str = ""               # red fapiao: the blue one's number
    code: str = ""                   # failed (or pending, unknown to it): provider code, words
    message: str = ""
    documents: Documents = field(default_factory=Documents)
    red_form: RedForm | None = None  # a red-letter order before its red fapiao exists


class FapiaoProvider(Protocol):
    def issue(self, request: FapiaoRequest) -> FapiaoResult: ...
    def result(self, order_no: str) -> FapiaoResult: ...
    def results(self, order_nos: list[str]) -> dict[str, FapiaoResult]: ...
    def red_letter(self, request: RedLetterRequest) -> FapiaoResult: ...
    def documents(self, result: FapiaoResult) -> list: ...  # [documents.FetchedDocument]
