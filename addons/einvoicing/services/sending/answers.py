"""The remote's answers onto submissions, the same way for every channel:
a pull's results (a fapiao provider, an access point) and an inbound
notification (SdI) both end in `record_answer`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from connectors import hub

from ...models.submission import EinvoiceSubmission
from . import states
from .channel import Channel, Sent
from .send_push import binding_state


def record_answer(session: Session, submission: EinvoiceSubmission, answer: Sent, *,
                  message_id: str | None = None, details: dict | None = None) -> bool:
    """Move `submission` by the remote's answer; False when seen before."""
    if answer.remote_number:
        submission.remote_number = answer.remote_number
    if answer.document_url:
        submission.document_url = answer.document_url
    if answer.state == submission.state and not message_id \
            and (answer.text or None) == submission.state_text:
        return False  # a poll saying again what we know: no history step
    return states.move(session, submission, answer.state, answer.text or None,
                       message_id=message_id, details=details)


@dataclass(frozen=True)
class _Read:
    """A pulled answer as the hub keeps it on the binding."""
    answer: Sent

    @property
    def number(self):
        return self.answer.remote_number or None

    @property
    def state(self):
        return binding_state(self.answer.state)

    @property
    def remote_state(self):
        return self.answer.state


def pull_of(channel: Channel, results: Callable[[object, list[str]], dict[str, Sent]],
            every_seconds: float | None = None,
            then: Callable[[Session, EinvoiceSubmission, Sent], None] | None = None) -> hub.Pull:
    """A pull asking the channel's backend how its sent files are doing:
    `results(client, remote ids) -> {remote id: Sent}`, then the submissions
    moved and, for each one that moved, `then(session, submission, answer)`."""

    def pull(client, external_ids: list[str]) -> dict:
        return {key: _Read(value) for key, value in results(client, external_ids).items()}

    def apply(session: Session, backend_id: int, rows) -> int:
        changed = 0
        for record_id, read in rows:
            submission = session.get(EinvoiceSubmission, record_id)
            if submission is not None and record_answer(
                    session, submission, read.answer, message_id=read.answer.step_id or None):
                changed += 1
                if then is not None:
                    then(session, submission, read.answer)
        return changed

    return hub.Pull(kind=f"einvoicing.{channel.key}.answers", model=channel.model, pull=pull,
                    every_seconds=every_seconds, apply=apply)
