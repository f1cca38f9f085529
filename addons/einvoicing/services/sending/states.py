"""An e-invoice's states, the same words for every channel, and the one
function that moves a submission and writes its history.

    not_sent  it could not be built or no backend takes its channel (why in text)
    invalid   a validation rule failed: it did not leave (rule ids in details)
    queued    a hub job is sending it
    sent      the remote took it (SdI's IdentificativoSdI, the access point's id,
              the fapiao provider's serial)
    failed    the remote refused the sending for good (its reason)
    transmitted / delivered / not_delivered   on the way (SdI AT, RC, MC)
    rejected  the remote's checks refused the document (SdI NS, the bureau)
    accepted / refused / terms_expired        the customer's answer (SdI NE, DT)
    issued    a fapiao was issued (its 20-digit number)

Notifications may come late or twice: a step with a message id seen before
is ignored; a step behind the current one (a delivery receipt after the
outcome) is kept in the history without moving the state back.
"""
from __future__ import annotations

import json
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from ...models.submission import EinvoiceEvent, EinvoiceSubmission

NOT_SENT, INVALID, QUEUED, SENT, FAILED = "not_sent", "invalid", "queued", "sent", "failed"
TRANSMITTED, DELIVERED, NOT_DELIVERED = "transmitted", "delivered", "not_delivered"
REJECTED, ACCEPTED, REFUSED, TERMS_EXPIRED, ISSUED = (
    "rejected", "accepted", "refused", "terms_expired", "issued")

LABELS = {NOT_SENT: _l("Not sent"), INVALID: _l("Invalid"), QUEUED: _l("Queued"),
          SENT: _l("Sent"), FAILED: _l("Sending failed"), TRANSMITTED: _l("Transmitted"),
          DELIVERED: _l("Delivered"), NOT_DELIVERED: _l("Not delivered"),
          REJECTED: _l("Rejected"), ACCEPTED: _l("Accepted"), REFUSED: _l("Refused"),
          TERMS_EXPIRED: _l("Terms expired"), ISSUED: _l("Issued")}
# how far along: a step never moves a submission back (a late receipt)
PROGRESS = {NOT_SENT: 0, INVALID: 0, QUEUED: 0, FAILED: 1, SENT: 1, TRANSMITTED: 2,
            NOT_DELIVERED: 2, DELIVERED: 3, REJECTED: 4, ACCEPTED: 4, REFUSED: 4,
            TERMS_EXPIRED: 4, ISSUED: 4}
FINAL = frozenset(s for s, p in PROGRESS.items() if p == 4)
# what needs Finance first: the Finance list's order
NEEDS_ACTION = (REJECTED, FAILED, INVALID, REFUSED, NOT_SENT, NOT_DELIVERED)
# a new file may go out (a fixed document, another attempt): nothing live remains
MAY_SEND_AGAIN = frozenset({NOT_SENT, INVALID, FAILED, REJECTED})


def urgency():
    """An ORDER BY expression: the states that need action first, in NEEDS_ACTION's order."""
    return case({state: rank for rank, state in enumerate(NEEDS_ACTION)},
                value=EinvoiceSubmission.state, else_=len(NEEDS_ACTION))


def move(session: Session, submission: EinvoiceSubmission, state: str, text: str | None = None,
         *, message_id: str | None = None, details: dict | None = None,
         again: bool = False) -> bool:
    """Record the step and move the submission to `state` unless it is behind
    (`again`: a person sent it again, any state may follow). False when the
    step was seen before (same message id) and nothing was written."""
    if state not in LABELS:
        raise ValueError(f"unknown e-invoice state {state!r}")
    if message_id and session.scalar(select(EinvoiceEvent.id).where(
            EinvoiceEvent.submission_id == submission.id,
            EinvoiceEvent.message_id == message_id)):
        return False
    session.add(EinvoiceEvent(submission_id=submission.id, state=state, text=text,
                              message_id=message_id, at=datetime.utcnow(),
                              details_json=json.dumps(details, ensure_ascii=False)
                              if details else None))
    if again or PROGRESS[state] >= PROGRESS.get(submission.state, 0):
        submission.state, submission.state_text = state, text
        submission.updated_at = datetime.utcnow()
    session.flush()
    return True
