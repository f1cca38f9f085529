"""What other addons do when a ticket's conversation moves (extension
points: the service desk never names them; service_desk_mail mails the
customer through them). An addon's `register(addon)` calls e.g.

    ticket_hooks.replied.add(addon.name, hook)

- `opened(session, ticket, message)`: a ticket was opened from a customer's
  message (`from_message`), after the message is in its thread;
- `replied(session, ticket, message)`: an agent's public reply was added;
- `moved(session, ticket, before_kind, after_kind)`: the ticket changed
  stage (kinds as models/stage.py names them: new ... solved, closed);
- `breached(session, ticket, escalation)`: an SLA target of the ticket was
  missed and escalated (`escalation.target`: first_response or resolution,
  `escalation.owner_id`: the team's manager, or None); once per ticket and
  target, from the breach check (services/sla/breaches.py), outside any
  request.

Each runs in the caller's transaction, only while its addon is active; what
it writes commits with the change or not at all. A hook must not refuse.
"""
from __future__ import annotations

from core.addons.extension_points import AddonHooks

opened = AddonHooks()
replied = AddonHooks()
moved = AddonHooks()
breached = AddonHooks()


def run(hooks: AddonHooks, *args) -> None:
    for hook in hooks.active():
        hook(*args)
