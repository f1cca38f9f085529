"""SdI's notifications onto the submissions: the hub.Inbound of the
endpoint's source (connectors/einvoice/sdi/endpoint.py stores them raw; this
reads one and moves its submission, one history step per MessageId).

Which submission: the one whose remote_id is the IdentificativoSdI. SdI
gives a repeated file name a new id (sdi.py, "Exactly once"), so failing
that, the one whose file it names:
- still `queued`: its job has not recorded SdI's answer yet (SdI may call
  back before it does): TransientError, processed again shortly;
- a NotificaScarto whose only code is 00002 (nome file duplicato) for a
  file whose job was tried more than once: SdI refused our own repeat and
  holds the first try; a step of the history, not a rejection;
- otherwise the notification is on our file's first try: its id becomes
  the submission's (and its binding's), then it applies;
- none, or a `rejected` one (its name was another file's): PermanentError,
  the event kept and its job failed, to be replayed from the hub's screen.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select

from connectors import hub
from connectors.einvoice.sdi.artefacts import sdi_folder
from connectors.einvoice.sdi.endpoint import SOURCE
from connectors.einvoice.sdi.notifications import SdiResult, read
from connectors.errors import PermanentError, TransientError

from ...models.submission import EinvoiceSubmission
from ..channels import SDI
from . import states
from .answers import record_answer
from .channel import Sent

DUPLICATE_NAME = "00002"  # SdI's "Nome file duplicato"
# the sdi Channel's `model` (its jobs and binding); sdi.py builds that Channel from here
MODEL = f"einvoicing.{SDI}"
WORDS = {states.DELIVERED: _l("SdI delivered it to the customer"),
         states.NOT_DELIVERED: _l("SdI could not deliver it: the customer finds it in its "
                                  "reserved area (cassetto fiscale)"),
         states.REJECTED: _l("SdI rejected it"),
         states.ACCEPTED: _l("The customer accepted it"),
         states.REFUSED: _l("The customer refused it"),
         states.TERMS_EXPIRED: _l("The customer did not answer within the terms"),
         states.TRANSMITTED: _l("SdI could not deliver it and certified its transmission")}


def process(session, event) -> str:
    result = read(event.payload, sdi_folder(current_app.extensions["crossdock"].settings))
    submission = _submission_of(session, result)
    errors = {"errors": [list(error) for error in result.errors]} if result.errors else None
    if _own_repeat(session, submission, result):
        text = gettext("SdI %(id)s: %(file)s was already received (00002 nome file "
                       "duplicato) from an earlier try of this sending; its notifications "
                       "come under that try's IdentificativoSdI",
                       id=result.identificativo_sdi, file=submission.file_name)
        answer = Sent(result.identificativo_sdi, states.SENT, text)
    else:
        if submission.remote_id != result.identificativo_sdi:
            _adopt(session, submission, result.identificativo_sdi)
        text = _words(result)
        answer = Sent(result.identificativo_sdi, result.state, text)
    if not record_answer(session, submission, answer, message_id=result.message_id,
                         details=errors):
        return f"{submission.file_name}: SdI message {result.message_id} seen before"
    return f"{submission.file_name}: {text}"


def _submission_of(session, result: SdiResult) -> EinvoiceSubmission:
    mine = select(EinvoiceSubmission).where(EinvoiceSubmission.channel == SDI) \
        .with_for_update()  # two notifications of one file: one after the other
    found = session.scalars(mine.where(
        EinvoiceSubmission.remote_id == result.identificativo_sdi)).first()
    if found is not None:
        return found
    found = session.scalars(mine.where(EinvoiceSubmission.file_name == result.invoice_file)
                            .order_by(EinvoiceSubmission.id.desc())).first() \
        if result.invoice_file else None
    if found is not None and found.state == states.QUEUED:
        raise TransientError(f"{found.file_name} is still being sent: SdI's id for it "
                             f"({result.identificativo_sdi}) is not recorded yet")
    if found is None or (found.state == states.REJECTED
                         and not _own_repeat(session, found, result)):
        raise PermanentError(f"SdI {result.identificativo_sdi}: no e-invoice sent through "
                             f"SdI has this IdentificativoSdI or file {result.invoice_file!r} "
                             f"({result.kind} message {result.message_id} kept)")
    return found


def _own_repeat(session, submission: EinvoiceSubmission, result: SdiResult) -> bool:
    """SdI refused the name on a repeated try of this submission's own job."""
    if [code for code, _text in result.errors] != [DUPLICATE_NAME]:
        return False
    return any(job.attempts > 1 for job in hub.jobs_for(session, MODEL, [submission.id]))


def _adopt(session, submission: EinvoiceSubmission, identificativo: str) -> None:
    """SdI's id of the try it kept, on the submission and its binding."""
    submission.remote_id = identificativo
    if submission.backend_id is not None:
        hub.bind(session, submission.backend_id, hub.Bind(MODEL, submission.id, identificativo))


def _words(result: SdiResult) -> str:
    """The step in words: what happened, SdI's codes and texts, the customer's reason."""
    detail = "; ".join(f"{code} {text}" for code, text in result.errors) \
        or " ".join(part for part in (result.outcome, result.description) if part)
    head = f"{WORDS[result.state]} ({result.kind}, SdI {result.identificativo_sdi})"
    return f"{head}: {detail}" if detail else head


SDI_NOTIFICATIONS = hub.Inbound(source=SOURCE, process=process)
