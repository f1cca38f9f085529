from datetime import date, datetime
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import (
    Column, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Table, Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

LEAD, OPPORTUNITY = "lead", "opportunity"
OPEN, WON, LOST = "open", "won", "lost"

lead_tag = Table(
    "sales_lead_tag", Model.metadata,
    Column("lead_id", Integer, ForeignKey("sales_lead.id", ondelete="CASCADE"),
           primary_key=True),
    Column("tag_id", Integer, ForeignKey("contacts_tag.id", ondelete="CASCADE"),
           primary_key=True, index=True),
)


class Lead(Model):
    """A lead (unqualified interest, 线索) or an opportunity (商机): one model with
    a type, as Odoo does, so converting keeps history, activities and links.

    `status` is open, won or lost; the stage says where an open one stands.
    Stage moves, won/lost/restore and conversion go through services (audited,
    rule-checked), never by writing these columns from a form.
    """
    __tablename__ = "sales_lead"
    __table_args__ = (
        # the board and the dashboard: one team's open opportunities by stage
        Index("ix_sales_lead_board_cards", "team_id", "type", "status", "stage_id", "priority",
              "expected_close", "owner_id", "id"),  # board card order, index-only (0007)
        Index("ix_sales_lead_owner_status", "owner_id", "status"),
        Index("ix_sales_lead_owner_id", "owner_id", "id"),  # own rows newest first (0010)
        # the Leads/Opportunities lists, newest first: read in order, rules filter on the way
        Index("ix_sales_lead_type_created", "type", "created_at", "id"),
        # the dashboard's team aggregates, answered from the index (migration 0006)
        Index("ix_sales_lead_dashboard", "team_id", "type", "status", "stage_id", "currency_id",
              "owner_id", "expected_revenue", "probability", "expected_close",
              "lost_reason_id", "closed_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(16), default=LEAD, nullable=False)
    name: Mapped[str] = mapped_column(String(200))  # what the deal is about
    # the customer, once known; an unqualified lead may only have free text
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_company.id", ondelete="SET NULL"), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_person.id", ondelete="SET NULL"), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    company_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(64), index=True)  # web, referral, fair...
    campaign: Mapped[str | None] = mapped_column(String(128))
    region: Mapped[str | None] = mapped_column(String(64), index=True)  # territory (华东, DACH)
    country_code: Mapped[str | None] = mapped_column(String(2))
    description: Mapped[str | None] = mapped_column(Text)

    # indexed by the composite indexes above
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("crossdock_team.id"))

    stage_id: Mapped[int | None] = mapped_column(ForeignKey("sales_stage.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default=OPEN, nullable=False)
    lost_reason_id: Mapped[int | None] = mapped_column(ForeignKey("sales_lost_reason.id"))
    lost_note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)  # won or lost

    expected_revenue: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal("0"))
    currency_id: Mapped[int | None] = mapped_column(ForeignKey("sales_currency.id"))
    probability: Mapped[int] = mapped_column(Integer, default=10, nullable=False)  # 0-100
    expected_close: Mapped[date | None] = mapped_column(Date, index=True)
    priority: Mapped[int] = mapped_column(Integer, default=0, nullable=False)  # 0-3 stars
    score: Mapped[int] = mapped_column(Integer, default=0, nullable=False, index=True)  # scoring

    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
    converted_at: Mapped[datetime | None] = mapped_column(DateTime)

    company = relationship("Company")
    person = relationship("Person")
    owner = relationship("User", foreign_keys=[owner_id])
    team = relationship("Team")
    stage = relationship("Stage")
    lost_reason = relationship("LostReason")
    currency = relationship("Currency")
    tags = relationship("Tag", secondary=lead_tag)

    @property
    def customer(self) -> str:
        """Who the deal is with: the linked contact, else the typed names."""
        if self.company is not None or self.person is not None:
            return " / ".join(c.name for c in (self.company, self.person) if c is not None)
        return " / ".join(n for n in (self.company_name, self.contact_name) if n) or ""

    def __repr__(self):
        return self.name
