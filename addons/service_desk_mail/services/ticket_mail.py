"""The customer's mails about a ticket, queued through mail_gateway in the
transaction of the change (so a rolled-back reply mails nothing):

- `acknowledge`: a ticket opened from a mail gets "we have it" with its
  number, marked Auto-Submitted (RFC 3834) so another robot does not answer;
- `mail_reply`: an agent's public reply, under the ticket's tag, threaded
  under the customer's last mail (In-Reply-To, References); its Message-ID
  is kept on the thread's message, so the customer's answer finds the ticket;
- `mail_rating_link`: solved: the one-click rating link.

Each is sent once: its reference names the ticket and the message or event,
and mail_gateway sends a reference once. The language is the customer's
writing: Chinese if the ticket's first message has Chinese characters, else
English. No mail account (or no address to write to): nothing is queued and
the ticket says so in an internal note's place, the log."""
from __future__ import annotations

import logging
import re
from pathlib import Path

from addons.mail_gateway.services import NoMailAccount, render, send_mail
from addons.service_desk.models.stage import SOLVED
from addons.service_desk.models.ticket_message import INBOUND
from addons.service_desk.services.rating import rating_link
from connectors.mail.outgoing import OutgoingMail
from connectors.mail.subject_tags import tagged

from .support_route import TICKET_MODEL

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "mail"
CJK = re.compile(r"[\u4e00-\u9fff]")
log = logging.getLogger(__name__)


def _language(ticket) -> str:
    first = ticket.description or ticket.subject or ""
    return "zh" if CJK.search(first) else "en"


def _thread_ids(ticket) -> tuple[str | None, tuple[str, ...]]:
    """(the customer's last Message-ID, every Message-ID of the thread in order)."""
    ids = [m.message_id for m in sorted(ticket.messages, key=lambda m: m.id) if m.message_id]
    if ticket.message_id and ticket.message_id not in ids:
        ids.insert(0, ticket.message_id)
    inbound = [m.message_id for m in sorted(ticket.messages, key=lambda m: m.id)
               if m.direction == INBOUND and m.message_id]
    return (inbound[-1] if inbound else None), tuple(ids)


def _queue(session, ticket, reference: str, template: str, *, auto: bool = False, **values):
    if not ticket.contact_email:
        log.info("ticket %s: no address to mail %s to", ticket.number, template)
        return None
    text = render(TEMPLATES, template, _language(ticket), ticket=ticket, **values)
    in_reply_to, references = _thread_ids(ticket)
    try:
        return send_mail(session, OutgoingMail(
            reference=reference, sender="", to=(ticket.contact_email,),
            subject=tagged(text.subject, ticket.number), text=text.text,
            language=text.language, in_reply_to=in_reply_to, references=references,
            auto_submitted="auto-replied" if auto else None), record=(TICKET_MODEL, ticket.id))
    except NoMailAccount:
        log.warning("ticket %s: no mail account, %s not sent", ticket.number, template)
        return None


def acknowledge(session, ticket, message) -> None:
    if message.message_id:  # opened from a mail (not from the API or a form)
        _queue(session, ticket, f"{TICKET_MODEL}/{ticket.id}/received", "ticket_received",
               auto=True)


def mail_reply(session, ticket, message) -> None:
    sent = _queue(session, ticket, f"{TICKET_MODEL}/{ticket.id}/reply/{message.id}",
                  "ticket_reply", reply=message.body)
    if sent is not None and not message.message_id:
        message.message_id = sent.message_id  # the customer's answer threads to the ticket


def mail_rating_link(session, ticket, before: str, after: str) -> None:
    if after != SOLVED:
        return
    try:
        link = rating_link(ticket)  # absolute: the request's host (or SERVER_NAME)
    except RuntimeError:  # solved outside a request and no SERVER_NAME: no link to give
        log.warning("ticket %s solved outside a request: no rating link mailed", ticket.number)
        return
    solved = f"{ticket.solved_at:%Y%m%d%H%M%S}" if ticket.solved_at else "now"
    _queue(session, ticket, f"{TICKET_MODEL}/{ticket.id}/solved/{solved}", "ticket_solved",
           link=link)
