"""The Nuonuo fapiao provider against the Nuonuo double over real HTTP:
issue and poll, idempotency on our order number, refusals before and after
sending, outages, red-letter corrections (and their forms waiting for the
buyer, confirmed, refused or voided), and the signature the double
recomputes from the published formula."""
from __future__ import annotations

import time
from dataclasses import astuple, replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from connectors.einvoice.fapiao.fapiao import (AWAITS_BUYER, FapiaoKind, FapiaoLine,
                                               FapiaoRequest, FapiaoState, Party,
                                               RedLetterLine, RedLetterReason,
                                               RedLetterRequest)
from connectors.einvoice.fapiao.nuonuo import NuonuoProvider
from connectors.errors import PermanentError, TransientError
from tests.doubles.nuonuo_double import BAD_TAX_CODE
from tests.doubles.references import unique_ref

pytest_plugins = ["tests.doubles.fixtures"]  # nuonuo_server, proxy_to

SELLER = Party("杭州十字码头科技有限公司", "91330106MA2AYNWD8M", "杭州市西湖区文三路1号",
               "0571-88888888")
BUYER = Party("广州某某贸易有限公司", "91440101MA5APD8X8J")
SERVICE = "3049900000000000000"  # the published pages' example 19-digit code


def provider(url, **credentials):
    settings = {"app_key": "nn-app-key", "app_secret": "nn-app-secret",
                "token": "nn-access-token", "taxnum": SELLER.tax_id, **credentials}
    return NuonuoProvider(endpoint=f"{url}/open/v1/services", **settings)


def fapiao_request(order_no=None, kind=FapiaoKind.SPECIAL, lines=None):
    return FapiaoRequest(
        order_no=order_no or unique_ref("FP"), kind=kind, buyer=BUYER, seller=SELLER,
        lines=lines or (
            FapiaoLine(SERVICE, "软件维护服务", Decimal("3"), Decimal("333.33"),
                       Decimal("0.06"), tax_included=True, unit="次"),
            FapiaoLine("1090511990000000000", "办公椅", Decimal("2"), Decimal("120.00"),
                       Decimal("0.13"), specification="CD-CHAIR", unit="把")),
        ordered_at=datetime(2026, 12, 1, 9, 30), clerk="王会计", remarks="合同 CD-2026-118")


def settled(fapiao, order_no, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        result = fapiao.result(order_no)
        if result.state is not FapiaoState.PENDING or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


@pytest.fixture
def fapiao(nuonuo_server):
    return provider(nuonuo_server.url)


def test_issued_after_polling_with_number_amounts_and_tax_to_the_cent(fapiao, nuonuo_server):
    request = fapiao_request()
    submitted = fapiao.issue(request)
    assert submitted.state is FapiaoState.PENDING and submitted.serial
    assert fapiao.result(request.order_no).state is FapiaoState.PENDING  # the bureau takes time

    issued = settled(fapiao, request.order_no)
    assert issued.state is FapiaoState.ISSUED, issued
    assert len(issued.number) == 20 and issued.number.isdigit()
    assert issued.issued_at.date() >= datetime(2026, 12, 1).date()
    # 999.99 incl. 6%: 943.39 + 56.60; 240.00 + 13%: 31.20
    assert (issued.untaxed, issued.tax, issued.total) == (
        Decimal("1183.39"), Decimal("87.80"), Decimal("1271.19"))
    assert (issued.untaxed, issued.tax, issued.total) == astuple(request.totals())
    assert issued.documents.pdf_url.endswith(f"{issued.number}.pdf")
    assert issued.documents.ofd_url and issued.documents.xml_url
    sent = nuonuo_server.app.orders[request.order_no].lines
    assert [(d["withTaxFlag"], d["taxExcludedAmount"], d["tax"], d["taxIncludedAmount"])
            for d in sent] == [("1", "943.39", "56.60", "999.99"),
                               ("0", "240.00", "31.20", "271.20")]


def test_a_retried_request_never_issues_a_second_fapiao(fapiao, nuonuo_server):
    request = fapiao_request(kind=FapiaoKind.ORDINARY)
    first = fapiao.issue(request)
    again = fapiao.issue(request)                                  # lost answer, retried
    later = provider(nuonuo_server.url).issue(request)             # another worker
    assert first.serial == again.serial == later.serial
    issued = settled(fapiao, request.order_no)
    assert fapiao.issue(request).serial == first.serial            # after issuance too
    assert settled(fapiao, request.order_no).number == issued.number
    assert nuonuo_server.app.issued_for(request.order_no) == 1


def test_another_body_under_an_issued_order_number_is_refused_in_nuonuos_words(fapiao):
    request = fapiao_request()
    fapiao.issue(request)
    assert settled(fapiao, request.order_no).state is FapiaoState.ISSUED
    changed = replace(request, lines=request.lines[:1])
    with pytest.raises(PermanentError) as refused:
        fapiao.issue(changed)
    assert "E9106" in str(refused.value) and "订单编号或流水号不能重复" in str(refused.value)
    assert "1271.19" in str(refused.value) and "999.99" in str(refused.value)


@pytest.mark.parametrize("change, words", [
    ({"tax_code": "304990000000000000"}, "税收分类编码) '304990000000000000': 19 digits"),
    ({"tax_code": "30499000000000000AB"}, "19 digits"),
])
def test_a_bad_tax_classification_code_is_refused_before_sending(fapiao, nuonuo_server,
                                                                 change, words):
    request = fapiao_request()
    request = replace(request, lines=(replace(request.lines[0], **change),))
    calls = len(nuonuo_server.app.calls)
    with pytest.raises(PermanentError, match="not sent") as refused:
        fapiao.issue(request)
    assert words in str(refused.value)
    assert len(nuonuo_server.app.calls) == calls


def test_a_bad_buyer_taxpayer_id_is_refused_before_sending(fapiao, nuonuo_server):
    request = replace(fapiao_request(), buyer=Party(BUYER.name, "91440101MA5APD8X8K"))
    calls = len(nuonuo_server.app.calls)
    with pytest.raises(PermanentError, match="统一社会信用代码") as refused:
        fapiao.issue(request)
    assert "91440101MA5APD8X8K" in str(refused.value)
    assert len(nuonuo_server.app.calls) == calls


def test_a_code_the_bureau_does_not_know_fails_with_the_providers_words(fapiao):
    request = fapiao_request(lines=(FapiaoLine(BAD_TAX_CODE, "未知商品", Decimal("1"),
                                               Decimal("10"), Decimal("0.13")),))
    fapiao.issue(request)
    failed = settled(fapiao, request.order_no)
    assert failed.state is FapiaoState.FAILED
    assert failed.code == "22" and BAD_TAX_CODE in failed.message and not failed.number
    corrected = replace(request, lines=(replace(request.lines[0], tax_code=SERVICE),))
    assert fapiao.issue(corrected).state is FapiaoState.FAILED   # E9106: a new number issues


@pytest.mark.parametrize("mode", ["refuse", "503", "429"])
def test_an_outage_is_transient(nuonuo_server, proxy_to, mode):
    proxy = proxy_to(nuonuo_server)
    proxy.set_mode(mode)
    with pytest.raises(TransientError):
        provider(proxy.url).issue(fapiao_request())


def test_a_bad_signature_or_token_is_refused_by_the_double(nuonuo_server):
    app = nuonuo_server.app
    request = fapiao_request()
    with pytest.raises(PermanentError, match="check appKey, appSecret") as refused:
        provider(nuonuo_server.url, app_secret="not-the-secret").issue(request)
    assert "070304" in str(refused.value) and app.calls[-1][1] == "070304"
    with pytest.raises(PermanentError, match="070301"):
        provider(nuonuo_server.url, token="stale-token").issue(request)
    assert app.issued_for(request.order_no) == 0


def red_letter_of(blue, blue_request, lines=(), order_no=None):
    return RedLetterRequest(order_no=order_no or unique_ref("RED"), blue_number=blue.number,
                            blue_kind=blue_request.kind,
                            reason=RedLetterReason.SALES_RETURN, buyer=BUYER, seller=SELLER,
                            lines=lines)


def test_an_issued_fapiao_is_red_lettered_once(fapiao, nuonuo_server):
    blue_request = fapiao_request()
    fapiao.issue(blue_request)
    blue = settled(fapiao, blue_request.order_no)
    red_request = red_letter_of(blue, blue_request)

    applied = fapiao.red_letter(red_request)
    assert applied.state is FapiaoState.PENDING
    red = settled(fapiao, red_request.order_no)
    assert red.state is FapiaoState.RED_LETTERED, red
    assert red.corrects == blue.number and red.number != blue.number and len(red.number) == 20
    assert (red.untaxed, red.tax, red.total) == (-blue.untaxed, -blue.tax, -blue.total)

    assert fapiao.red_letter(red_request).number == red.number      # a retry reads it back
    assert nuonuo_server.app.issued_for(red_request.order_no) == 1
    with pytest.raises(PermanentError, match="不能再次全额冲红"):
        fapiao.red_letter(red_letter_of(blue, blue_request))


def test_a_partial_red_letter_carries_the_corrected_lines(fapiao, nuonuo_server):
    blue_request = fapiao_request()
    fapiao.issue(blue_request)
    blue = settled(fapiao, blue_request.order_no)
    chair = replace(blue_request.lines[1], quantity=Decimal("1"))
    red_request = red_letter_of(blue, blue_request, lines=(RedLetterLine(2, chair),))
    fapiao.red_letter(red_request)
    red = settled(fapiao, red_request.order_no)
    assert (red.untaxed, red.tax, red.total) == (Decimal("-120.00"), Decimal("-15.60"),
                                                 Decimal("-135.60"))
    detail = nuonuo_server.app.red_forms[red_request.order_no]
    assert '"blueDetailIndex": "2"' in detail and '"num": "-1"' in detail


def test_a_red_letter_retried_before_its_fapiao_exists_applies_one_form(fapiao, nuonuo_server):
    blue_request = fapiao_request()
    fapiao.issue(blue_request)
    blue = settled(fapiao, blue_request.order_no)
    red_request = red_letter_of(blue, blue_request)
    applied = forms_applied(nuonuo_server.app)
    first = fapiao.red_letter(red_request)
    again = fapiao.red_letter(red_request)        # the red fapiao is still being issued
    assert first.state is again.state is FapiaoState.PENDING
    assert again.red_form.status == "01"          # the form read back, not applied again
    assert forms_applied(nuonuo_server.app) == applied + 1
    assert settled(fapiao, red_request.order_no).state is FapiaoState.RED_LETTERED
    assert nuonuo_server.app.issued_for(red_request.order_no) == 1


def forms_applied(double) -> int:
    return sum(1 for method, code in double.calls
               if method == "nuonuo.OpeMplatform.saveInvoiceRedConfirm" and code == "E0000")


def booked_blue(fapiao, double):
    """An issued blue fapiao the buyer has booked: its red-letter forms wait for them."""
    blue_request = fapiao_request()
    fapiao.issue(blue_request)
    blue = settled(fapiao, blue_request.order_no)
    double.buyer_books(blue.number)
    return blue, blue_request


def test_a_form_the_buyer_booked_waits_for_them_then_issues_the_red_fapiao(
        fapiao, nuonuo_server):
    double = nuonuo_server.app
    blue, blue_request = booked_blue(fapiao, double)
    red_request = red_letter_of(blue, blue_request)
    fapiao.red_letter(red_request)
    waiting = settled(fapiao, red_request.order_no, timeout=0.5)  # longer than any issuing
    assert waiting.state is FapiaoState.PENDING
    form = waiting.red_form
    assert (form.status, form.words, form.awaits) == ("02", "销方录入待购方确认", AWAITS_BUYER)
    assert form.number == double.forms[red_request.order_no].number and len(form.number) == 20
    assert abs(form.since - datetime.now(timezone.utc)) < timedelta(minutes=1)
    assert fapiao.red_letter(red_request) == waiting       # a retry reads the waiting form
    assert double.issued_for(red_request.order_no) == 0

    double.buyer_confirms(red_request.order_no)
    red = settled(fapiao, red_request.order_no)
    assert (red.state, red.corrects, red.red_form) == (FapiaoState.RED_LETTERED, blue.number,
                                                       None)
    assert red.total == -blue.total and double.issued_for(red_request.order_no) == 1


@pytest.mark.parametrize("answer, words", [
    (lambda double, bill: double.buyer_refuses(bill, "货物未退回"),
     "作废（销方录入购方否认）: 货物未退回"),
    (lambda double, bill: double.form_expires(bill), "作废（超72小时未确认）")],
    ids=["refused", "72 hours passed"])
def test_a_form_refused_or_left_unconfirmed_fails_in_the_bureaus_words(
        fapiao, nuonuo_server, answer, words):
    double = nuonuo_server.app
    blue, blue_request = booked_blue(fapiao, double)
    red_request = red_letter_of(blue, blue_request)
    fapiao.red_letter(red_request)
    answer(double, red_request.order_no)
    voided = fapiao.result(red_request.order_no)
    assert (voided.state, voided.message) == (FapiaoState.FAILED, words)
    assert voided.code == voided.red_form.status == ("05" if "否认" in words else "07")
    assert voided.red_form.number == double.forms[red_request.order_no].number
    assert double.issued_for(red_request.order_no) == 0


def test_an_order_unknown_as_fapiao_and_as_form_is_pending(fapiao, nuonuo_server):
    unknown = fapiao.result(unique_ref("RED"))
    assert (unknown.state, unknown.code, unknown.red_form) == (FapiaoState.PENDING, "E9500",
                                                              None)
    assert nuonuo_server.app.calls[-1] == ("nuonuo.OpeMplatform.queryInvoiceRedConfirm", "E0000")


def test_the_backend_fetches_its_token_once_and_says_what_is_wrong(nuonuo_server):
    from connectors.einvoice.backends import make_client

    app, url = nuonuo_server.app, nuonuo_server.url

    def backend(secret="nn-app-secret", token_url=f"{url}/accessToken", **options):
        return make_client("nuonuo", f"{url}/open/v1/services", SELLER.tax_id, "nn-app-key",
                           secret, {"token_url": token_url, **options})

    fetched = len(app.fetched_tokens)
    words = backend().test_connection()
    assert "nn-app-key" in words and SELLER.tax_id in words
    request = fapiao_request()
    backend().issue(request)                   # another client, the same app: the kept token
    assert len(app.fetched_tokens) == fetched + 1
    with pytest.raises(PermanentError, match="070305") as refused:  # the token endpoint's words
        backend(secret="not-the-secret").test_connection()
    assert "check appKey and appSecret" in str(refused.value)
    pasted = backend(token="pasted-and-stale")  # a pasted token is never fetched anew
    with pytest.raises(PermanentError, match="070301"):
        pasted.result(request.order_no)
    assert len(app.fetched_tokens) == fetched + 1

    app.expire_tokens()                         # 24 hours later: refused, fetched, asked again
    assert backend().result(request.order_no).serial  # Nuonuo knows our order
    assert len(app.fetched_tokens) == fetched + 2
    app.expire_tokens()  # a token refused right after its fetch: not an expiry, no more fetches
    for _ in range(2):
        with pytest.raises(PermanentError, match="070301"):
            backend().result(request.order_no)
    assert len(app.fetched_tokens) == fetched + 2
