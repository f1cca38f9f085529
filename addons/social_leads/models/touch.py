"""Every submission or event intake took in, with its own attribution: the
first one created the lead (`created`), later ones touched it again. The
source report counts them per channel and campaign."""
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship


class LeadTouch(Model):
    __tablename__ = "social_leads_touch"
    __table_args__ = (
        # a channel's event taken in twice (a replay) is one touch
        UniqueConstraint("channel", "external_id", name="uq_social_leads_touch_event"),
        Index("ix_social_leads_touch_report", "touched_at", "channel", "campaign"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("sales_lead.id", ondelete="CASCADE"),
                                         index=True, nullable=False)
    created: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    external_id: Mapped[str] = mapped_column(String(255), nullable=False)
    touched_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # UTC, naive
    channel: Mapped[str] = mapped_column(String(32), nullable=False)
    campaign: Mapped[str | None] = mapped_column(String(128))
    form: Mapped[str | None] = mapped_column(String(128))
    qr_scene: Mapped[str | None] = mapped_column(String(64))
    utm_source: Mapped[str | None] = mapped_column(String(128))
    utm_medium: Mapped[str | None] = mapped_column(String(128))
    utm_campaign: Mapped[str | None] = mapped_column(String(128))
    utm_term: Mapped[str | None] = mapped_column(String(128))
    utm_content: Mapped[str | None] = mapped_column(String(128))

    lead = relationship("Lead")

    def __repr__(self):
        return f"{self.channel} {self.external_id}"
