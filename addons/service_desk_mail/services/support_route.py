"""The support alias: mail to it (or answering one of a ticket's mails, or
with a ticket's "[T-000123]" in its subject) becomes a ticket or a message
of the ticket it answers, through service_desk's seam `from_message`. The
route answers automatically (it acknowledges new tickets), so mail_gateway
never hands it a robot's mail: two auto-responders cannot loop.

`CROSSDOCK_SUPPORT_ALIAS` (default "support@": any domain of the mailbox)
names the alias; a whole address ("help@example.cn") narrows it."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from addons.mail_gateway.services import Delivery, MailRoute
from addons.service_desk.models import Ticket
from addons.service_desk.services.tickets.customers import ALL_ROWS
from addons.service_desk.services.tickets.inbound import from_message
from addons.service_desk.services.tickets.thread import Attachment

from ..settings import configured

TICKET_MODEL = "service_desk.ticket"  # the record model of the mails we send about a ticket


def ticket_of_tag(session: Session, tag: str) -> int | None:
    """The ticket a subject tag names ("T-000123")."""
    return session.scalar(select(Ticket.id).where(Ticket.number == tag),
                          execution_options=ALL_ROWS)


def take_mail(session: Session, delivery: Delivery) -> str:
    mail = delivery.mail
    received = from_message(
        session, mail.sender, mail.sender_name or None, mail.subject, mail.text,
        message_id=mail.message_id, in_reply_to=mail.in_reply_to, references=mail.references,
        attachments=[Attachment(a.filename, a.content_type, a.content)
                     for a in mail.attachments])
    ticket = received.ticket
    if received.duplicate:
        return f"already on {ticket.number}"
    if received.created:
        return f"opened {ticket.number}"
    return f"added to {ticket.number}" + (" (reopened)" if received.reopened else "")


SUPPORT_ROUTE = MailRoute(handle=take_mail,
                          alias=lambda: configured().support_alias,
                          model=TICKET_MODEL, record_of_tag=ticket_of_tag,
                          answers_automatically=True)
