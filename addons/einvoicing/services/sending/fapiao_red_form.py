"""A credit note's red-letter form (红字确认单) before its red fapiao exists,
as the submission's answer.

When the buyer has booked the blue fapiao, the form waits for their
confirmation: the submission stays `sent` and its history says so once per
form status (the pull asks every minute). Refused, voided after 72 hours
unconfirmed, or not accepted at all: `rejected` with the bureau's words,
so Finance sends the credit note again (a new order number, a new form).
While the bureau works on a form nothing is written: the red fapiao follows.
"""
from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext

from connectors.einvoice.fapiao.fapiao import AWAITS_BUYER, FapiaoResult, FapiaoState

from . import states
from .channel import Sent

VOIDED_AFTER = timedelta(hours=72)  # the bureau's limit for the other side's confirmation


def form_answer(result: FapiaoResult) -> Sent | None:
    form = result.red_form
    number = form.number or result.order_no
    step = f"red-form:{number}:{form.status}"
    if result.state is FapiaoState.FAILED:
        return Sent(result.order_no, states.REJECTED, step_id=step, text=gettext(
            "red-letter form (红字确认单) %(form)s: %(words)s (Nuonuo status %(code)s); send "
            "the credit note again for a new form", form=number, words=result.message,
            code=result.code))
    if not form.awaits:
        return None
    if form.awaits != AWAITS_BUYER:
        text = gettext("red-letter form (红字确认单) %(form)s waits for the seller's "
                       "confirmation (ours, in Nuonuo): %(words)s", form=number,
                       words=form.words)
    elif form.since is None:
        text = gettext("red-letter form (红字确认单) %(form)s waits for the buyer's "
                       "confirmation; unconfirmed for 72 hours, the bureau voids it",
                       form=number)
    else:
        text = gettext("red-letter form (红字确认单) %(form)s waits for the buyer's "
                       "confirmation since %(since)s; unconfirmed, the bureau voids it at "
                       "%(deadline)s (Beijing time)", form=number, since=_minute(form.since),
                       deadline=_minute(form.since + VOIDED_AFTER))
    return Sent(result.order_no, states.SENT, text=text, step_id=step)


def _minute(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")
