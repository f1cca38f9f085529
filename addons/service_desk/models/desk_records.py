"""The desk's smaller records: the ticket number sequence, escalations (a
to-do for a team's manager when an SLA is breached), satisfaction ratings,
canned replies and knowledge-base articles."""
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import (Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

FIRST_RESPONSE, RESOLUTION = "first_response", "resolution"


class TicketSequence(Model):
    """The next ticket number of a prefix, taken under the row's lock."""
    __tablename__ = "desk_sequence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(8), unique=True)
    next_number: Mapped[int] = mapped_column(Integer, default=1)


class Escalation(Model):
    """A breached target, for the team's manager to act on (once per ticket and target)."""
    __tablename__ = "desk_escalation"
    __table_args__ = (
        UniqueConstraint("ticket_id", "target", name="uq_desk_escalation_ticket_target"),
        CheckConstraint("target IN ('first_response', 'resolution')",
                        name="ck_desk_escalation_target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("desk_ticket.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)  # manager
    team_id: Mapped[int | None] = mapped_column(ForeignKey("crossdock_team.id"))
    summary: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)

    ticket = relationship("addons.service_desk.models.ticket.Ticket")
    owner = relationship("User")
    team = relationship("Team")

    def __repr__(self):
        return self.summary


class Rating(Model):
    """The customer's satisfaction with a solved ticket (1-5), given once."""
    __tablename__ = "desk_rating"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="ck_desk_rating_score"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("desk_ticket.id", ondelete="CASCADE"),
                                           unique=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("crossdock_team.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)

    ticket = relationship("addons.service_desk.models.ticket.Ticket")
    agent = relationship("User")
    team = relationship("Team")

    def __repr__(self):
        return f"{self.score}/5"


class CannedReply(Model):
    """A ready answer an agent inserts into a reply (zh or en)."""
    __tablename__ = "desk_canned_reply"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    body: Mapped[str] = mapped_column(Text)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("crossdock_team.id", ondelete="CASCADE"))  # none: every team

    team = relationship("Team")

    def __repr__(self):
        return self.name


class KbArticle(Model):
    """A knowledge-base article (zh or en); a published one may be linked in a reply."""
    __tablename__ = "desk_kb_article"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    body: Mapped[str] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow,
                                                 onupdate=datetime.utcnow)

    def __repr__(self):
        return self.title
