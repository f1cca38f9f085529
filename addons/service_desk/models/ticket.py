"""A support ticket (工单): a customer's request, its thread (TicketMessage)
and where it stands against its SLA.

Times are naive UTC like the rest of the host. The SLA columns are written
by services/sla only: the deadlines are the policy's working minutes counted
from `created_at` plus the working minutes spent waiting for the customer
(`paused_minutes`); while waiting (`paused_since` set) there is no deadline.
`first_response_minutes` / `resolution_minutes` are the working minutes it
took, kept for the SLA report. A merged ticket points at the survivor
(`merged_into_id`) and keeps no messages of its own.
"""
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import (Boolean, CheckConstraint, Column, DateTime, ForeignKey, Index, Integer,
                        String, Table, Text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

MAIL, WEB, PHONE, API = "mail", "web", "phone", "api"
CHANNELS = (MAIL, WEB, PHONE, API)
LOW, NORMAL, HIGH, URGENT = 0, 1, 2, 3
PRIORITIES = (LOW, NORMAL, HIGH, URGENT)
TYPES = ("question", "incident", "problem", "request")

ticket_tag = Table(
    "desk_ticket_tag", Model.metadata,
    Column("ticket_id", Integer, ForeignKey("desk_ticket.id", ondelete="CASCADE"),
           primary_key=True),
    Column("tag_id", Integer, ForeignKey("desk_tag.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Ticket(Model):
    __tablename__ = "desk_ticket"
    __table_args__ = (
        CheckConstraint("channel IN ('mail', 'web', 'phone', 'api')",
                        name="ck_desk_ticket_channel"),
        CheckConstraint("priority BETWEEN 0 AND 3", name="ck_desk_ticket_priority"),
        # a team's queue by stage, an agent's open tickets (assignment's "least open")
        Index("ix_desk_ticket_team_stage", "team_id", "stage_id"),
        Index("ix_desk_ticket_owner_open", "owner_id", "solved_at"),
        # the breach scan: open tickets by deadline
        Index("ix_desk_ticket_due", "solved_at", "resolution_due"),
        # the SLA report's period (migration 0002)
        Index("ix_desk_ticket_created", "created_at"),
    )
    SYNC_MODEL = "service_desk.ticket"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(16), unique=True)
    subject: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(8), default=WEB)
    ticket_type: Mapped[str | None] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer, default=NORMAL)

    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_company.id", ondelete="SET NULL"), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_person.id", ondelete="SET NULL"), index=True)
    contact_email: Mapped[str | None] = mapped_column(String(254))  # where replies go

    team_id: Mapped[int | None] = mapped_column(ForeignKey("crossdock_team.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))  # the assignee
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("desk_stage.id"))
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("desk_ticket.id", ondelete="SET NULL"))
    message_id: Mapped[str | None] = mapped_column(String(255), index=True)  # the first mail's

    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime)
    solved_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    sla_policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("desk_sla_policy.id", ondelete="SET NULL"))
    first_response_due: Mapped[datetime | None] = mapped_column(DateTime)
    resolution_due: Mapped[datetime | None] = mapped_column(DateTime)
    paused_since: Mapped[datetime | None] = mapped_column(DateTime)
    paused_minutes: Mapped[int] = mapped_column(Integer, default=0)
    first_response_minutes: Mapped[int | None] = mapped_column(Integer)
    resolution_minutes: Mapped[int | None] = mapped_column(Integer)
    first_response_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_breached: Mapped[bool] = mapped_column(Boolean, default=False)

    company = relationship("Company")
    person = relationship("Person")
    team = relationship("Team")
    owner = relationship("User", foreign_keys=[owner_id])
    stage = relationship("addons.service_desk.models.stage.TicketStage")
    sla_policy = relationship("SlaPolicy")
    merged_into = relationship("addons.service_desk.models.ticket.Ticket", remote_side=[id])
    tags = relationship("DeskTag", secondary=ticket_tag)
    messages = relationship("TicketMessage", back_populates="ticket",
                            order_by="TicketMessage.id", passive_deletes=True)

    @property
    def customer(self):
        return self.person or self.company

    def __repr__(self):
        return f"{self.number or '#' + str(self.id)} {self.subject}"
