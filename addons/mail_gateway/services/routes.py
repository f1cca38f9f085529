"""`mail_routes`: where other addons say which received mail is theirs.

From its `register(addon)` an addon adds routes, e.g. service_desk:

    mail_routes.add(addon.name, MailRoute(handle=from_message, alias="support@",
                                          model="service_desk.ticket",
                                          record_of_tag=ticket_of_tag,
                                          answers_automatically=True))

A received mail goes to the first route that takes it, in this order
(inbound.py): a reply to one of our mails (In-Reply-To, then References,
against our Message-IDs) goes to the route of the record's `model`, with the
record; then a subject tag (`[#T-000123]`) that a route's `record_of_tag`
knows; then the first route whose `alias` (a local part "support@" or a
whole address) is among To/Cc or whose `when(mail)` is true. A route that
`answers_automatically` (acknowledgements, tickets that mail back) never
gets a robot's mail (auto-submitted, bulk, bounces), so two robots cannot
answer each other.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connectors.mail.incoming import IncomingMail
from core.addons.extension_points import AddonHooks

mail_routes = AddonHooks()


@dataclass(frozen=True)
class Delivery:
    """What a route's `handle(session, delivery)` gets: the parsed mail, the
    account it came through and, for a reply or a tagged subject, the record
    it answers (`record_id` of the route's `model`)."""
    mail: IncomingMail
    backend_id: int | None
    incoming_id: int
    record_model: str | None = None
    record_id: int | None = None


@dataclass(frozen=True)
class MailRoute:
    """`handle(session, delivery) -> str | None` writes the addon's records
    (in the processing job's transaction) and says in words what it did."""
    handle: Callable[[Any, Delivery], str | None]
    alias: str | Callable[[], str] | None = None  # callable: read per mail (a setting)
    when: Callable[[IncomingMail], bool] | None = None
    model: str | None = None
    record_of_tag: Callable[[Any, str], int | None] | None = None
    answers_automatically: bool = False

    def current_alias(self) -> str | None:
        return self.alias() if callable(self.alias) else self.alias

    def takes_address(self, mail: IncomingMail) -> bool:
        if alias := self.current_alias():
            alias = alias.lower()
            for address in (*mail.to, *mail.cc):
                if address == alias or (alias.endswith("@") and address.startswith(alias)):
                    return True
        return self.when is not None and bool(self.when(mail))


def active_routes(robot: bool) -> list[MailRoute]:
    """The active addons' routes; without those that answer automatically
    when the mail is a robot's."""
    return [route for route in mail_routes.active()
            if not (robot and route.answers_automatically)]
