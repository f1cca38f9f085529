"""Assignment rules for unassigned leads (自动分配线索): which leads a rule takes
(by source, region, tag, minimum score), the pool of salespeople it hands them
to (weight, capacity), and its persisted round-robin pointer.

The pointer lives on the rule's row, so advancing it is serialised by a row
lock of the rule (services/leads/lead_assignment.py): two concurrent assignments
never take the same slot, and a restart continues where the last one stopped.
"""
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import (Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship


class AssignmentRule(Model):
    __tablename__ = "sales_assignment_rule"
    __table_args__ = (
        CheckConstraint("pointer >= 0", name="ck_sales_assignment_rule_pointer"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    sequence: Mapped[int] = mapped_column(Integer, default=10, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # match conditions; empty = any
    source: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(64))
    tag_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_tag.id", ondelete="SET NULL"))
    min_score: Mapped[int | None] = mapped_column(Integer)
    # the team the assigned lead joins (empty: the lead keeps its team)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("crossdock_team.id", ondelete="SET NULL"))
    # next slot of the weighted cycle; only services/leads/lead_assignment.py moves it
    pointer: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)

    tag = relationship("Tag")
    team = relationship("Team")
    members = relationship("AssignmentMember", back_populates="rule",
                           cascade="all, delete-orphan", order_by="AssignmentMember.id")

    def __repr__(self):
        return self.name


class AssignmentMember(Model):
    """A salesperson in a rule's pool: `weight` slots per cycle; skipped while
    owning `capacity` or more open leads and opportunities (empty: no limit)."""
    __tablename__ = "sales_assignment_member"
    __table_args__ = (
        UniqueConstraint("rule_id", "user_id", name="uq_sales_assignment_member_user"),
        CheckConstraint("weight >= 1", name="ck_sales_assignment_member_weight"),
        CheckConstraint("capacity IS NULL OR capacity >= 0",
                        name="ck_sales_assignment_member_capacity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[int] = mapped_column(
        ForeignKey("sales_assignment_rule.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"))
    weight: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    capacity: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    rule = relationship("AssignmentRule", back_populates="members")
    user = relationship("User")

    def __repr__(self):
        return f"{self.user.username if self.user else self.user_id} ({self.weight})"
