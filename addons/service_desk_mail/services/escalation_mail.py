"""The mail to a team's manager when one of its tickets misses an SLA
target (service_desk's `ticket_hooks.breached`): the ticket, the target
missed, its deadline and a link to the ticket, in the manager's language
and time zone (their profile's, else the instance's defaults). Sent once per breach: the
hook runs once per ticket and target, and its reference names both
(mail_gateway sends a reference once). Marked Auto-Submitted: no robot
answers it. About the escalation, not the ticket: a manager's reply does
not join the customer's thread. No manager, no address or no mail account:
nothing is queued, the log says why."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app

from addons.mail_gateway.services import NoMailAccount, render, send_mail
from addons.service_desk.models.desk_records import FIRST_RESPONSE
from connectors.mail.outgoing import OutgoingMail
from core.i18n import UserPreference

from .links import absolute_link
from .ticket_mail import TEMPLATES

ESCALATION_MODEL = "service_desk.escalation"
log = logging.getLogger(__name__)


def _reader(session, user_id: int) -> tuple[str, str]:
    """(language, time zone) of a user: their profile's, else the instance's."""
    preference = session.get(UserPreference, user_id)
    return ((preference and preference.locale) or current_app.config["BABEL_DEFAULT_LOCALE"],
            (preference and preference.time_zone) or current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _local(value: datetime | None, zone: str) -> str:
    if value is None:
        return "-"
    return f"{value.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}"


def mail_breach(session, ticket, escalation) -> None:
    manager = escalation.owner
    if manager is None or not manager.email:
        log.info("ticket %s breached %s: no manager address to mail", ticket.number,
                 escalation.target)
        return
    first_response = escalation.target == FIRST_RESPONSE
    language, zone = _reader(session, manager.id)
    due = ticket.first_response_due if first_response else ticket.resolution_due
    text = render(TEMPLATES, "ticket_breached", language, ticket=ticket,
                  first_response=first_response, due=_local(due, zone),
                  link=absolute_link("DeskTicketView.show", pk=ticket.id))
    try:
        send_mail(session, OutgoingMail(
            reference=f"{ESCALATION_MODEL}/{escalation.id}/{escalation.target}", sender="",
            to=(manager.email,), subject=text.subject, text=text.text, language=text.language,
            auto_submitted="auto-generated"), record=(ESCALATION_MODEL, escalation.id))
    except NoMailAccount:
        log.warning("ticket %s breached %s: no mail account, the manager not mailed",
                    ticket.number, escalation.target)
