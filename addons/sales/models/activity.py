"""A planned call, meeting or to-do (活动) on a lead/opportunity, a company or a
person, owned by the salesperson who has to do it.

Exactly one parent (check constraint). Open while `done_at` is null; marking
it done goes through services/activities/scheduling.py (records the note and puts an
entry on the contact's timeline), never a free write of `done_at`.

Dates: `due_date` (and the optional `due_time`) are the server's local
calendar day and wall time, as typed; `remind_at`, `done_at` and `created_at`
are naive UTC like the other sales timestamps.
"""
from datetime import date, datetime, time

from flask_appbuilder import Model
from sqlalchemy import (CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String,
                        Text, Time)
from sqlalchemy.orm import Mapped, mapped_column, relationship

CALL, MEETING, TODO = "call", "meeting", "todo"
KINDS = (CALL, MEETING, TODO)

ONE_PARENT = ("(CASE WHEN lead_id IS NULL THEN 0 ELSE 1 END)"
              " + (CASE WHEN company_id IS NULL THEN 0 ELSE 1 END)"
              " + (CASE WHEN person_id IS NULL THEN 0 ELSE 1 END) = 1")


class Activity(Model):
    __tablename__ = "sales_activity"
    __table_args__ = (
        CheckConstraint(ONE_PARENT, name="ck_sales_activity_one_parent"),
        CheckConstraint("kind IN ('call', 'meeting', 'todo')", name="ck_sales_activity_kind"),
        # "my open activities by due date" (and the navbar reminder count, from the index
        # alone); the team too, for a manager's backlog under the team rule (0011)
        Index("ix_sales_activity_owner_open", "owner_id", "done_at", "due_date", "remind_at",
              "team_id"),
        # the team's backlog (dashboard, Sales Manager scope)
        Index("ix_sales_activity_team_open", "team_id", "done_at", "due_date"),
        # the dashboard's backlog per owner, answered from the index (migration 0006)
        Index("ix_sales_activity_backlog", "team_id", "done_at", "owner_id", "due_date"),
        # a record's activities (panels on lead, company and person pages)
        Index("ix_sales_activity_lead", "lead_id", "done_at", "due_date"),
        Index("ix_sales_activity_company", "company_id", "done_at", "due_date"),
        Index("ix_sales_activity_person", "person_id", "done_at", "due_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=TODO, nullable=False)
    summary: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[date] = mapped_column(Date)
    due_time: Mapped[time | None] = mapped_column(Time)
    remind_at: Mapped[datetime | None] = mapped_column(DateTime)

    owner_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("crossdock_team.id"))

    lead_id: Mapped[int | None] = mapped_column(ForeignKey("sales_lead.id", ondelete="CASCADE"))
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_company.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_person.id", ondelete="CASCADE"))

    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    done_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)

    owner = relationship("User", foreign_keys=[owner_id])
    team = relationship("Team")
    lead = relationship("Lead")
    company = relationship("Company")
    person = relationship("Person")

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def __repr__(self):
        return self.summary
