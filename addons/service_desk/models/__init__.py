from .desk_records import (CannedReply, Escalation, KbArticle, Rating,  # noqa: F401
                           TicketSequence)
from .desk_tag import DeskTag  # noqa: F401
from .desk_team import DeskAgent, DeskTeam  # noqa: F401
from .sla_policy import SlaPolicy  # noqa: F401
from .stage import TicketStage  # noqa: F401
from .ticket import Ticket, ticket_tag  # noqa: F401
from .ticket_message import TicketAttachment, TicketMessage  # noqa: F401
from .work_calendar import WorkCalendar  # noqa: F401
