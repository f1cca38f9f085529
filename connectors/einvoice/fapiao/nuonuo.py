"""The Nuonuo open platform as a `FapiaoProvider`, in the 诺税通 SaaS API.

Calls (`nuonuo.OpeMplatform.*`): `requestBillingNew` (issue, answers
{"invoiceSerialNum"}), `queryInvoiceResult` ({"orderNos": [...],
"isOfferInvoiceDetail": "0"}, up to 50, a list of rows: `results` asks
in batches) and `saveInvoiceRedConfirm` (the red-letter confirmation form,
answers its billId). One namespace on purpose: digital e-fapiao red-letter forms are
published only for the 诺税通 SaaS API (its `fastInvoiceRed` is for digital
paper fapiao, and the common API's `nuonuo.ElectronInvoice.
unifiedfastInvoiceRed` only for blue fapiao from WeChat/Alipay), and one
app is entitled to one product. The common API's
`nuonuo.ElectronInvoice.requestBillingNew` takes the same order body.

Idempotency on our order number:
- issue: Nuonuo refuses an orderNo it already has (E9106 "订单编号或流水号
  不能重复"); then the order is read back, and if its totals are ours it is
  the same request retried: its state is answered, nothing new is issued
  (while the first is still being issued its totals are not known yet, so
  it is taken as ours);
- red-letter: the red fapiao's order number is also the form's billId;
  before applying, the order number is looked up, so a retry after a lost
  answer reads the red fapiao, or its form, instead of applying twice; a
  form Nuonuo does not show yet is refused as a duplicate (E9106) and taken
  as pending.
The red fapiao of a digital e-fapiao comes by itself only when the form
needs no confirmation (the buyer has not booked the blue one) or both sides
confirmed; a form the buyer must confirm waits (02), and the bureau voids
it when the buyer refuses or lets 72 hours pass. So an order that
`queryInvoiceResult` does not know is looked up as a form
(`queryInvoiceRedConfirm`, one call per such order: the call takes one
billId): its state is the result (nuonuo_red_form.py). Confirming a form
from our side (a form the buyer filled in, 03) is not built.
A query for an order Nuonuo knows neither as a fapiao nor as a form answers
E9500: pending right after a submission (its store may lag), the caller
decides after that.
"""
from __future__ import annotations

from ...errors import PermanentError
from .documents import FetchedDocument, fetch_documents
from .fapiao import FapiaoRequest, FapiaoResult, FapiaoState, RedLetterRequest
from .nuonuo_order import order_body, red_confirm_body, result_of
from .nuonuo_red_form import form_query, form_result
from .nuonuo_token import FixedToken
from .nuonuo_wire import NuonuoRefusal, NuonuoWire
from .request_checks import check_red_letter, check_request

ISSUE = "nuonuo.OpeMplatform.requestBillingNew"
QUERY = "nuonuo.OpeMplatform.queryInvoiceResult"
RED_CONFIRM = "nuonuo.OpeMplatform.saveInvoiceRedConfirm"
RED_FORMS = "nuonuo.OpeMplatform.queryInvoiceRedConfirm"
DUPLICATE_ORDER = "E9106"
NOT_FOUND = "E9500"
QUERY_BATCH = 50  # queryInvoiceResult's most order numbers a call
PRODUCTION = "https://sdk.nuonuo.com/open/v1/services"  # sandbox: sandbox.nuonuocs.cn, same path


class NuonuoProvider:
    """`taxnum` is the seller's tax number (the `userTax` header); `token` a
    pasted access token or a token source (nuonuo_token.py)."""

    def __init__(self, *, app_key: str, app_secret: str, token, taxnum: str,
                 endpoint: str = PRODUCTION):
        tokens = FixedToken(token) if isinstance(token, str) else token
        self.wire = NuonuoWire(endpoint, app_key, app_secret, tokens, taxnum)

    def issue(self, request: FapiaoRequest) -> FapiaoResult:
        check_request(request)
        try:
            answer = self.wire.call(ISSUE, order_body(request)) or {}
        except NuonuoRefusal as refusal:
            if refusal.code != DUPLICATE_ORDER:
                raise
            return self._same_order(request, refusal)
        return FapiaoResult(request.order_no, FapiaoState.PENDING,
                            serial=str(answer.get("invoiceSerialNum") or ""))

    def result(self, order_no: str) -> FapiaoResult:
        return self.results([order_no])[order_no]

    def results(self, order_nos: list[str]) -> dict[str, FapiaoResult]:
        """Each order's result, asked QUERY_BATCH at a time; an order with
        no fapiao yet is its red-letter form's state, else pending."""
        found = {}
        for start in range(0, len(order_nos), QUERY_BATCH):
            batch, unknown = list(order_nos[start:start + QUERY_BATCH]), ("", "")
            try:
                rows = self.wire.call(QUERY, {"orderNos": batch, "isOfferInvoiceDetail": "0"})
            except NuonuoRefusal as refusal:
                if refusal.code != NOT_FOUND:
                    raise
                rows, unknown = (), (refusal.code, refusal.describe)
            by_order = {str(row.get("orderNo")): row for row in rows or ()}
            for order_no in batch:
                row = by_order.get(order_no)
                found[order_no] = result_of(order_no, row) if row is not None \
                    else self._red_form(order_no) or FapiaoResult(
                        order_no, FapiaoState.PENDING, code=unknown[0], message=unknown[1])
        return found

    def _red_form(self, order_no: str) -> FapiaoResult | None:
        """The state of the red-letter form applied for under `order_no`; None: no form."""
        answer = self.wire.call(RED_FORMS, form_query(order_no)) or {}
        row = next((row for row in answer.get("list") or ()
                    if str(row.get("billId")) == order_no), None)
        return form_result(order_no, row) if row is not None else None

    def red_letter(self, request: RedLetterRequest) -> FapiaoResult:
        check_red_letter(request)
        known = self.result(request.order_no)
        if known.serial or known.red_form:  # applied before (the answer was lost): no second
            return known
        try:
            bill_id = self.wire.call(RED_CONFIRM, red_confirm_body(request))
        except NuonuoRefusal as refusal:
            if refusal.code != DUPLICATE_ORDER:
                raise
            bill_id = request.order_no  # our form exists; its red fapiao is on its way
        return FapiaoResult(request.order_no, FapiaoState.PENDING, serial=str(bill_id or ""))

    def documents(self, result: FapiaoResult) -> list[FetchedDocument]:
        """The issued fapiao's PDF, OFD and XML from the links Nuonuo's result
        names (its own file servers: no signature, no token)."""
        return fetch_documents(self.wire.session, result, what="Nuonuo's fapiao files")

    def _same_order(self, request: FapiaoRequest, refusal: NuonuoRefusal) -> FapiaoResult:
        known = self.result(request.order_no)
        totals = request.totals()
        if known.state not in (FapiaoState.ISSUED, FapiaoState.RED_LETTERED) \
                or (known.total, known.tax) == (totals.total, totals.tax):
            return known  # a failed order stays failed: a new order number issues anew
        raise PermanentError(
            f"{refusal} - order {request.order_no} is already fapiao {known.number or '?'} "
            f"with total {known.total} and tax {known.tax}, not our {totals.total} and "
            f"{totals.tax}; issue a new order number or red-letter the first") from refusal
