"""The neutral fapiao's amounts, the checks before sending, and the Nuonuo
bodies they become (pure: no double needed)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from connectors.einvoice.fapiao.fapiao import (FapiaoKind, FapiaoLine, FapiaoRequest, Party,
                                               RedLetterReason, RedLetterRequest)
from connectors.einvoice.fapiao.nuonuo_order import order_body, red_confirm_body
from connectors.einvoice.fapiao.request_checks import check_red_letter, check_request
from connectors.errors import PermanentError

SELLER = Party("杭州十字码头科技有限公司", "91330106MA2AYNWD8M")
BUYER = Party("广州某某贸易有限公司", "91440101MA5APD8X8J")
SERVICE = "3049900000000000000"


@pytest.mark.parametrize("line, untaxed, tax, total", [
    (FapiaoLine(SERVICE, "服务", Decimal("1"), Decimal("100"), Decimal("0.06"), True),
     "94.34", "5.66", "100.00"),
    (FapiaoLine(SERVICE, "服务", Decimal("3"), Decimal("0.335"), Decimal("0.13")),
     "1.01", "0.13", "1.14"),    # 1.005 rounds half up, then 0.1313 -> 0.13
    (FapiaoLine(SERVICE, "服务", Decimal("2.5"), Decimal("10"), Decimal("0")),
     "25.00", "0.00", "25.00"),
])
def test_line_amounts_round_half_up_to_the_fen(line, untaxed, tax, total):
    amounts = line.amounts()
    assert (str(amounts.untaxed), str(amounts.tax), str(amounts.total)) == (untaxed, tax, total)


def request(**changes):
    values = dict(order_no="FP-1", kind=FapiaoKind.SPECIAL, buyer=BUYER, seller=SELLER,
                  lines=(FapiaoLine(SERVICE, "服务", Decimal("1"), Decimal("100"),
                                    Decimal("0.06")),),
                  ordered_at=datetime(2026, 12, 1, 9, 30, 5), clerk="王会计")
    return FapiaoRequest(**{**values, **changes})


def test_every_finding_comes_in_one_refusal_naming_field_and_value():
    bad = request(order_no="FP-" + "9" * 30, buyer=Party("", ""), clerk=" ",
                  lines=(FapiaoLine("123", "", Decimal("0"), Decimal("1"), Decimal("13")),))
    with pytest.raises(PermanentError) as refused:
        check_request(bad)
    text = str(refused.value)
    for words in ("order number", "buyer name", "专票", "'123': 19 digits", "name: required",
                  "quantity 0", "tax rate 13", "clerk"):
        assert words in text


def test_an_ordinary_fapiao_may_go_to_a_buyer_without_taxpayer_id():
    check_request(request(kind=FapiaoKind.ORDINARY, buyer=Party("张三")))


def test_a_red_letter_needs_the_blue_twenty_digit_number():
    red = RedLetterRequest("RED-1", "2633123", FapiaoKind.SPECIAL,
                           RedLetterReason.INVOICING_ERROR, BUYER, SELLER)
    with pytest.raises(PermanentError, match="20 digits"):
        check_red_letter(red)


def test_the_nuonuo_bodies_use_the_published_codes():
    order = order_body(request())["order"]
    assert (order["invoiceLine"], order["invoiceType"], order["orderNo"],
            order["invoiceDate"]) == ("bs", "1", "FP-1", "2026-12-01 09:30:05")
    assert order["invoiceDetail"][0] == {
        "goodsName": "服务", "goodsCode": SERVICE, "specType": "", "unit": "", "num": "1",
        "price": "100", "withTaxFlag": "0", "taxRate": "0.06", "tax": "6.00",
        "taxExcludedAmount": "100.00", "taxIncludedAmount": "106.00",
        "invoiceLineProperty": "0"}
    assert order_body(request(kind=FapiaoKind.ORDINARY))["order"]["invoiceLine"] == "pc"
    reasons = {reason: red_confirm_body(RedLetterRequest(
        "RED-1", "2" * 20, FapiaoKind.ORDINARY, reason, BUYER, SELLER))["redReason"]
        for reason in RedLetterReason}
    assert reasons == {RedLetterReason.SALES_RETURN: "1", RedLetterReason.INVOICING_ERROR: "2",
                       RedLetterReason.SERVICE_STOPPED: "3",
                       RedLetterReason.SALES_ALLOWANCE: "4"}
