"""Who reads and writes which tickets. A Support Agent reads and changes the
tickets of their teams, those assigned to them, and those of the teams they
manage (DeskTeam.manager_id: there is no seeded "Support Manager" role; a
team's manager is a Support Agent named on the team's desk settings, and
reads its SLA report). Read-only reads all. Messages, attachments and
ratings are read with their ticket; escalations by the manager they are for
and the team. Admin reads and writes all; other roles have no desk access."""
from sqlalchemy import or_, select

from core.security.rule_expressions import RecordRule

from ..models import DeskAgent, DeskTeam, Escalation, Rating, Ticket, TicketAttachment, TicketMessage


def desk_tickets(actor):
    """The tickets a Support Agent works on (the condition over Ticket)."""
    managed = select(DeskTeam.team_id).where(DeskTeam.manager_id == actor.user_id)
    return or_(Ticket.team_id.in_(actor.team_ids), Ticket.owner_id == actor.user_id,
               Ticket.team_id.in_(managed))


AGENT = "Support Agent"

RULES = [
    RecordRule(Ticket, AGENT, read=desk_tickets, write=desk_tickets),
    RecordRule(Ticket, "Read-only", read="all", write="none"),
    RecordRule(TicketMessage, AGENT, read=lambda actor: TicketMessage.ticket.has(),
               write=lambda actor: TicketMessage.ticket.has()),
    RecordRule(TicketMessage, "Read-only", read=lambda actor: TicketMessage.ticket.has()),
    RecordRule(TicketAttachment, AGENT, read=lambda actor: TicketAttachment.message.has(),
               write=lambda actor: TicketAttachment.message.has()),
    RecordRule(TicketAttachment, "Read-only",
               read=lambda actor: TicketAttachment.message.has()),
    RecordRule(Rating, AGENT, read=lambda actor: Rating.ticket.has()),
    RecordRule(Rating, "Read-only", read=lambda actor: Rating.ticket.has()),
    RecordRule(Escalation, AGENT,
               read=lambda actor: or_(Escalation.owner_id == actor.user_id,
                                      Escalation.team_id.in_(actor.team_ids)),
               write=lambda actor: Escalation.owner_id == actor.user_id),
    # an agent marks only themself away
    RecordRule(DeskAgent, AGENT, read="all",
               write=lambda actor: DeskAgent.user_id == actor.user_id),
]
