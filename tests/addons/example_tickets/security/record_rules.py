"""Who reads and changes which tickets, in the tickets' own words. Scope rows
(Sales Manager, Read-only) are in record_rules.csv next to this file."""
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import or_

from core.security.rule_expressions import RecordRule

from ..models import Queue, Ticket

RULES = [
    # an agent reads the tickets of their teams and those they watch, and
    # changes only their teams' (a ticket moved to another team is refused)
    RecordRule(
        Ticket, "Support Agent",
        read=lambda actor: or_(Ticket.team_id.in_(actor.team_ids),
                               Ticket.watchers.any(User.id == actor.user_id)),
        write=lambda actor: Ticket.team_id.in_(actor.team_ids)),
    # Finance reads the tickets of the billing queue, whoever's, and changes none
    RecordRule(Ticket, "Finance", read=lambda actor: Ticket.queue.has(Queue.name == "billing")),
]
