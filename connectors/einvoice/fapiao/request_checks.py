"""What the bureau would refuse, refused before anything is sent.

Each finding names the field and the value, in words a clerk can act on;
all findings of a request come in one PermanentError. The buyer's unified
social credit code (统一社会信用代码) is checked with python-stdnum's
`cn.uscc` (check character included), the library the contacts addon's
tax-id rule uses: connectors may not import addons, so the rule is not
shared, the validator is.
"""
from __future__ import annotations

import re

from stdnum.cn import uscc
from stdnum.exceptions import ValidationError

from ...errors import PermanentError
from .fapiao import FapiaoKind, FapiaoLine, FapiaoRequest, Party, RedLetterRequest

TAX_CODE = re.compile(r"\d{19}")       # 税收分类编码: 19 digits
FAPIAO_NUMBER = re.compile(r"\d{20}")  # 数电票号码: 20 digits
MAX_ORDER_NO = 20                      # the shortest limit among the calls that carry it


def check_request(request: FapiaoRequest) -> None:
    _raise(request.order_no, request_problems(request))


def check_red_letter(request: RedLetterRequest) -> None:
    _raise(request.order_no, red_letter_problems(request))


def request_problems(request: FapiaoRequest) -> list[str]:
    """Every finding on a blue request, in words (empty: it may be sent)."""
    problems = _order_no(request.order_no) + _parties(request.buyer, request.seller, request.kind)
    if not request.lines:
        problems.append("no lines: a fapiao needs at least one")
    for n, line in enumerate(request.lines, 1):
        problems += [f"line {n}: {p}" for p in _line(line)]
    if not request.clerk.strip():
        problems.append("clerk (开票人): required")
    return problems


def red_letter_problems(request: RedLetterRequest) -> list[str]:
    problems = _order_no(request.order_no) + _parties(request.buyer, request.seller,
                                                      request.blue_kind)
    if not FAPIAO_NUMBER.fullmatch(request.blue_number or ""):
        problems.append(f"blue fapiao number {request.blue_number!r}: 20 digits expected")
    for part in request.lines:
        problems += [f"line for blue line {part.blue_line_no}: {p}" for p in _line(part.line)]
        if part.blue_line_no < 1:
            problems.append(f"blue line number {part.blue_line_no}: counts from 1")
    return problems


def _order_no(order_no: str) -> list[str]:
    if not order_no or len(order_no) > MAX_ORDER_NO or not order_no.isascii():
        return [f"order number {order_no!r}: 1 to {MAX_ORDER_NO} ASCII characters"]
    return []


def _parties(buyer: Party, seller: Party, kind: FapiaoKind) -> list[str]:
    problems = []
    if not buyer.name.strip():
        problems.append("buyer name: required")
    if not seller.name.strip() or not seller.tax_id.strip():
        problems.append("seller name and taxpayer id: required")
    if kind is FapiaoKind.SPECIAL and not buyer.tax_id:
        problems.append("buyer taxpayer id: required on a special VAT fapiao (专票)")
    if buyer.tax_id:
        try:
            uscc.validate(buyer.tax_id)
        except ValidationError as exc:
            problems.append(f"buyer taxpayer id {buyer.tax_id!r} is not a valid unified "
                            f"social credit code (统一社会信用代码): {exc}")
    return problems


def _line(line: FapiaoLine) -> list[str]:
    problems = []
    if not TAX_CODE.fullmatch(line.tax_code or ""):
        problems.append(f"tax classification code (税收分类编码) {line.tax_code!r}: "
                        "19 digits expected")
    if not line.name.strip():
        problems.append("name: required")
    if line.quantity <= 0 or line.unit_price < 0:
        problems.append(f"quantity {line.quantity} and unit price {line.unit_price}: "
                        "a positive quantity and a price of 0 or more")
    if not 0 <= line.tax_rate < 1:
        problems.append(f"tax rate {line.tax_rate}: a fraction such as 0.13")
    return problems


def _raise(order_no: str, problems: list[str]) -> None:
    if problems:
        raise PermanentError(f"fapiao {order_no}: not sent, " + "; ".join(problems))
