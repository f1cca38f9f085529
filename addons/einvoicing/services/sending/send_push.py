"""Each channel's hub push: a queued submission's file to its backend,
exactly once (the channel's `send` is idempotent on the submission's key),
and the submission moved with the job's end in the same transaction:
`sent` (or further) with the remote's id, or `failed` with its reason.

The binding (model `einvoicing.<channel>`, the remote's id) is what the
channel's pull reads back; its remote_state is "done" once the submission's
state is final, so a pull stops asking about it.
"""
from __future__ import annotations

import json
from functools import cache

from connectors import hub

from ...models.submission import EinvoiceSubmission
from . import states
from .channel import Channel, Outgoing, Sent


def binding_state(state: str) -> str:
    """The binding's remote_state: "done" stops the hub's pulls."""
    return "done" if state in states.FINAL else state


def bind_sent(channel: Channel, submission_id: int, sent: Sent) -> hub.Bind:
    return hub.Bind(channel.model, submission_id, sent.remote_id, sent.remote_number or None,
                    binding_state(sent.state), sent.state)


@cache
def push_of(channel: Channel) -> hub.Push:
    """The channel's push (one value per channel: registered and enqueued as itself)."""

    def prepare(ctx) -> Outgoing:
        submission = ctx.session.get(EinvoiceSubmission, ctx.record_id)
        if submission is None:
            raise hub.Skip(f"e-invoice #{ctx.record_id} is gone; nothing sent")
        if submission.state != states.QUEUED:
            raise hub.Skip(f"{submission} is {submission.state}; nothing sent")
        return Outgoing(submission.id, submission_key(submission), submission.file_name,
                        submission.content, submission.content_type,
                        json.loads(submission.routing_json or "{}"))

    def call(client, outgoing: Outgoing) -> hub.Outcome:
        sent = channel.send(client, outgoing)
        summary = f"{outgoing.file_name} is {sent.remote_id} ({sent.state})"
        return hub.Outcome(summary + (f": {sent.text}" if sent.text else ""),
                           remote_ref=sent.remote_number or sent.remote_id,
                           bindings=(bind_sent(channel, outgoing.submission_id, sent),))

    def on_settled(session, settled: hub.Settled) -> None:
        submission = session.get(EinvoiceSubmission, settled.record_id)
        if submission is None:
            return
        if not settled.ok:
            states.move(session, submission, states.FAILED, settled.text, again=True)
            return
        binding = next((b for b in hub.bindings_for(session, channel.model, [submission.id])
                        if b.backend_id == settled.backend_id), None)
        if binding is None:  # skipped: nothing left
            return
        submission.remote_id = binding.external_id
        submission.remote_number = binding.external_number
        states.move(session, submission, binding.remote_state_label or states.SENT, settled.text)

    return hub.Push(kind=f"einvoicing.{channel.key}.send", model=channel.model,
                    prepare=prepare, call=call, on_settled=on_settled)


def submission_key(submission: EinvoiceSubmission) -> str:
    """The idempotency key of every try of one submission."""
    return f"crossdock-einvoice-{submission.id}"
