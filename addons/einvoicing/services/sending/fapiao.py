"""Channel `fapiao`: China's fully digital fapiao (数电发票) through Nuonuo
(backend kind `nuonuo`).

- build: the invoice as a blue `FapiaoRequest`, a credit note as a
  `RedLetterRequest` of its invoice's fapiao (fapiao_request.py), kept as
  JSON: the job sends the very request that was checked;
- send: `issue` / `red_letter`, idempotent on the request's order number
  (Nuonuo refuses a second order under it, and the provider reads the first
  back), so a retry after a lost answer issues nothing new: `sent`;
- answers: the bureau issues seconds or minutes later; a pull asks for the
  sent orders (`results`): `issued` with the 20-digit number and the PDF's
  URL, or `rejected` with Nuonuo's status and words; still pending ones are
  left out and asked again. A red fapiao once issued adds a step to its blue
  one's history; before that, its red-letter form waiting for the buyer, or
  voided, is the answer (fapiao_red_form.py).
"""
from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext
from sqlalchemy.orm import Session

from addons.invoicing_link.models.invoice import CREDIT_NOTE
from connectors.einvoice.fapiao import fapiao_json
from connectors.einvoice.fapiao.fapiao import FapiaoResult, FapiaoState, RedLetterRequest

from ...models.submission import EinvoiceSubmission
from .. import channels
from . import states
from .answers import pull_of
from .channel import Built, Channel, Outgoing, Sent
from .fapiao_red_form import form_answer
from .fapiao_request import blue_request, latest_fapiao, red_request
from .fapiao_documents import queue_documents

PULL_SECONDS = 60.0  # a fapiao is issued within seconds to minutes


def build(session, invoice, submission) -> Built:
    make = red_request if invoice.kind == CREDIT_NOTE else blue_request
    request, problems = make(session, invoice, submission)
    return Built(f"{request.order_no}.json", fapiao_json.dumps(request), "application/json",
                 tuple(problems))


def send(client, outgoing: Outgoing) -> Sent:
    request = fapiao_json.loads(outgoing.content)
    if isinstance(request, RedLetterRequest):
        result = client.red_letter(request)
    else:
        result = client.issue(request)
    return Sent(request.order_no, states.SENT, text=f"Nuonuo {result.serial}".rstrip())


def results(client, order_nos: list[str]) -> dict[str, Sent]:
    answers = {no: answer_of(result) for no, result in client.results(order_nos).items()}
    return {no: answer for no, answer in answers.items() if answer is not None}


def answer_of(result: FapiaoResult) -> Sent | None:
    """A settled result as the submission's answer; None while pending."""
    if result.red_form is not None:
        return form_answer(result)
    if result.state is FapiaoState.PENDING:
        return None
    if result.state is FapiaoState.FAILED:
        return Sent(result.order_no, states.REJECTED, text=gettext(
            "Nuonuo status %(code)s: %(words)s", code=result.code, words=result.message))
    text = gettext("fapiao %(number)s: %(total)s CNY, tax %(tax)s", number=result.number,
                   total=result.total, tax=result.tax)
    if result.corrects:
        text += " " + gettext("(red, corrects %(blue)s)", blue=result.corrects)
    return Sent(result.order_no, states.ISSUED, text=text, remote_number=result.number,
                document_url=result.documents.pdf_url)


def red_on_blue(session: Session, submission: EinvoiceSubmission, answer: Sent) -> None:
    """A red fapiao issued: a step in its blue fapiao's history (state unchanged)."""
    credit = submission.invoice
    if answer.state != states.ISSUED or credit.kind != CREDIT_NOTE:
        return
    blue = latest_fapiao(session, credit.credited_invoice)
    if blue is not None:
        states.move(session, blue, blue.state, gettext(
            "red-lettered by fapiao %(red)s (%(credit)s)", red=answer.remote_number,
            credit=credit.number), message_id=f"red:{answer.remote_number}")


def after_answer(session: Session, submission: EinvoiceSubmission, answer: Sent) -> None:
    """What a moved submission sets off: its red fapiao on the blue one's
    history, an issued fapiao's files fetched (fapiao_documents.py)."""
    red_on_blue(session, submission, answer)
    queue_documents(session, submission, answer)


FAPIAO = Channel(channels.FAPIAO, "nuonuo", build, send)
FAPIAO = replace(FAPIAO, answers=(pull_of(FAPIAO, results, every_seconds=PULL_SECONDS,
                                          then=after_answer),))
