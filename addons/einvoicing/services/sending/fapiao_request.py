"""An issued invoice or credit note as the fapiao request the `fapiao`
channel sends (connectors/einvoice/fapiao), with what keeps it from leaving.

Blue (an invoice):
- buyer: the customer company's name and 统一社会信用代码 (its tax id, spaces
  taken out), address and first phone; kind: its `fapiao_kind` (special 专票
  or ordinary 普票; ordinary when empty);
- seller: Invoicing > E-invoicing seller: name, tax registration (else VAT
  id) as the taxpayer id, address, phone, bank details (开户行及账号);
- lines: each invoice line at its product's 19-digit `fapiao_tax_code`
  (a line without one is a problem naming the product), the product's unit,
  the quantity, the invoice's unit price (the net price, amount / quantity
  to 8 places, when the line has a discount), the rate as a fraction and a
  price-included tax kept included, so the fapiao rounds each line as the
  invoice did (sales' line_amounts and FapiaoLine.amounts are the same
  formulas); totals that still differ from the invoice's by a fen are a
  problem saying by how much, and nothing leaves;
- order_no: the invoice number without separators and the attempt
  ("INV202600001-1", at most 20 ASCII characters): Nuonuo's idempotency key.

Red (a credit note): a red-letter form (红字确认单) of the credited invoice's
latest fapiao submission, which must be issued (its 20-digit number), with
that fapiao's parties and kind; the whole fapiao when the credit note takes
the whole invoice back, else the credited lines (blue line positions as the
blue fapiao has them). Reason: one of the bureau's four words (开票有误,
销货退回, 服务中止, 销售折让) written in the credit note's note, else 开票有误
for a whole correction (a wrong fapiao) and 销货退回 for part of one; the
bureau takes 开票有误 for a whole correction only.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.einvoice.fapiao import fapiao_json
from connectors.einvoice.fapiao.fapiao import (FEN, FapiaoKind, FapiaoLine, FapiaoRequest,
                                               LineAmounts, Party, RedLetterLine,
                                               RedLetterReason, RedLetterRequest, cents)
from connectors.einvoice.fapiao.nuonuo_order import CHINA
from connectors.einvoice.fapiao.request_checks import (FAPIAO_NUMBER, MAX_ORDER_NO,
                                                       red_letter_problems, request_problems)

from ...models.submission import EinvoiceSubmission
from ..channels import FAPIAO
from ..document_builder import seller_of
from . import states
from .channel import NotBuildable, Problem

PRICE_PLACES = Decimal("1e-8")
HUNDRED = Decimal(100)


def blue_request(session: Session, invoice, submission) -> tuple[FapiaoRequest, list[Problem]]:
    company = _company_in_yuan(invoice)
    seller = seller_of(session)
    problems, lines = [], []
    for n, line in enumerate(invoice.lines, 1):
        made = _fapiao_line(n, line, problems)
        if made is not None:
            lines.append(made)
    issuer = invoice.issued_by
    request = FapiaoRequest(
        order_no=order_no(invoice, submission),
        kind=FapiaoKind(getattr(company, "fapiao_kind", None) or FapiaoKind.ORDINARY.value),
        buyer=Party(company.name, (company.tax_id or "").replace(" ", "").upper(),
                    _address(company.province, company.city, company.street),
                    company.phones[0].number if company.phones else ""),
        seller=Party(seller.name, (seller.tax_registration or seller.vat_id or "").strip(),
                     _address(seller.city, seller.street), seller.phone or "",
                     seller.bank_details or ""),
        lines=tuple(lines), ordered_at=_china_time(invoice.issued_at),
        clerk=(issuer.get_full_name().strip() or issuer.username) if issuer else seller.name,
        remarks=" ".join(filter(None, (invoice.number,
                                       invoice.order.number if invoice.order else ""))))
    if not problems:  # the bureau's checks, once our data has what they look at
        problems += [Problem("FAPIAO", text) for text in request_problems(request)]
        problems += _totals_differ(request.totals(), invoice)
    return request, problems


def red_request(session: Session, credit, submission) -> tuple[RedLetterRequest, list[Problem]]:
    _company_in_yuan(credit)
    invoice = credit.credited_invoice
    blue = latest_fapiao(session, invoice)
    if blue is None or blue.state != states.ISSUED \
            or not FAPIAO_NUMBER.fullmatch(blue.remote_number or ""):
        raise NotBuildable(gettext("the blue fapiao is not issued yet (%(invoice)s); send "
                                   "the credit note again once it is",
                                   invoice=invoice.number))
    kept = fapiao_json.loads(blue.content)
    whole = Decimal(credit.amount_total) == Decimal(invoice.amount_total)
    parts, problems = [], []
    if not whole:
        positions = {line.id: n for n, line in enumerate(invoice.lines, 1)}
        for line in credit.lines:
            n = positions.get(line.credited_line_id)
            if n is None or n > len(kept.lines):
                problems.append(Problem("FAPIAO-LINE", gettext(
                    "%(line)s: not a line of the blue fapiao", line=line.description)))
                continue
            parts.append(RedLetterLine(n, replace(kept.lines[n - 1],
                                                  quantity=_plain(Decimal(line.quantity)))))
    reason = _reason(credit.note or "", whole)
    if reason is RedLetterReason.INVOICING_ERROR and not whole:
        problems.append(Problem("FAPIAO-REASON", gettext(
            "开票有误 (invoicing error) corrects a whole fapiao only; this credit note takes "
            "back part of it: write 销货退回, 服务中止 or 销售折让 in its note")))
    request = RedLetterRequest(order_no=order_no(credit, submission),
                               blue_number=blue.remote_number, blue_kind=kept.kind,
                               reason=reason, buyer=kept.buyer, seller=kept.seller,
                               lines=tuple(parts))
    if not problems:
        problems += [Problem("FAPIAO", text) for text in red_letter_problems(request)]
        amounts = kept.totals() if whole else _sum(p.line.amounts() for p in parts)
        problems += _totals_differ(amounts, credit)
    return request, problems


def latest_fapiao(session: Session, invoice) -> EinvoiceSubmission | None:
    return session.scalars(select(EinvoiceSubmission).where(
        EinvoiceSubmission.invoice_id == invoice.id, EinvoiceSubmission.channel == FAPIAO)
        .order_by(EinvoiceSubmission.attempt.desc())).first()


def order_no(invoice, submission) -> str:
    """Our idempotency key at Nuonuo: one per submission, unique per seller."""
    suffix = f"-{submission.attempt}"
    compact = re.sub(r"[^A-Za-z0-9]", "", invoice.number or f"ID{invoice.id}")
    return compact[-(MAX_ORDER_NO - len(suffix)):] + suffix


def _company_in_yuan(invoice):
    if invoice.company is None:
        raise NotBuildable(gettext("a fapiao through this channel goes to a company"))
    if invoice.currency.code != "CNY":
        raise NotBuildable(gettext("a fapiao is in yuan (CNY); %(number)s is in %(currency)s",
                                   number=invoice.number, currency=invoice.currency.code))
    return invoice.company


def _fapiao_line(n: int, line, problems: list[Problem]) -> FapiaoLine | None:
    product = line.order_line.product if line.order_line is not None else None
    quantity = Decimal(line.quantity)
    if quantity <= 0:
        problems.append(Problem("FAPIAO-LINE", gettext(
            "line %(n)d (%(line)s): a deduction or an empty line cannot be on a fapiao",
            n=n, line=line.description)))
        return None
    code = (getattr(product, "fapiao_tax_code", None) or "").strip() if product else ""
    if not code:
        problems.append(Problem("FAPIAO-TAX-CODE", gettext(
            "line %(n)d: %(product)s has no tax classification code (税收分类编码); set it "
            "on the product", n=n, product=product if product else line.description)))
    included = bool(line.price_include)
    amount = Decimal(line.amount_total if included else line.amount_untaxed)
    price = Decimal(line.unit_price) if not Decimal(line.discount or 0) \
        else (amount / quantity).quantize(PRICE_PLACES)
    return FapiaoLine(code, line.description, _plain(quantity), _plain(price),
                      _plain(Decimal(line.tax_rate or 0) / HUNDRED), tax_included=included,
                      unit=product.unit if product else "")


def _totals_differ(fapiao: LineAmounts, invoice) -> list[Problem]:
    ours = LineAmounts(*(cents(Decimal(value)) for value in (
        invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total)))
    if fapiao == ours:
        return []
    return [Problem("FAPIAO-TOTALS", gettext(
        "the fapiao would come to %(untaxed)s + tax %(tax)s = %(total)s, the invoice to "
        "%(our_untaxed)s + %(our_tax)s = %(our_total)s (a difference of %(diff)s): nothing "
        "was sent", untaxed=fapiao.untaxed, tax=fapiao.tax, total=fapiao.total,
        our_untaxed=ours.untaxed, our_tax=ours.tax, our_total=ours.total,
        diff=(fapiao.total - ours.total).quantize(FEN)))]


def _reason(note: str, whole: bool) -> RedLetterReason:
    named = [reason for reason in RedLetterReason if reason.value in note]
    if named:
        return named[0]
    return RedLetterReason.INVOICING_ERROR if whole else RedLetterReason.SALES_RETURN


def _sum(amounts) -> LineAmounts:
    parts = list(amounts)
    return LineAmounts(*(sum((getattr(p, f) for p in parts), Decimal(0))
                         for f in ("untaxed", "tax", "total")))


def _plain(value: Decimal) -> Decimal:
    return Decimal(f"{value.normalize():f}")


def _address(*parts) -> str:
    return " ".join(part for part in parts if part)


def _china_time(utc: datetime | None) -> datetime:
    """The order time Nuonuo takes: Beijing time, without a zone."""
    moment = (utc or datetime.utcnow()).replace(tzinfo=timezone.utc)
    return moment.astimezone(CHINA).replace(tzinfo=None, microsecond=0)
