"""An id a platform gives a person (openid, unionid, WeCom external user id),
kept with the lead and the contact it identifies: the first thing intake looks
up, and what the person's page shows under "Social identities"."""
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class SocialIdentity(Model):
    __tablename__ = "social_leads_identity"
    # one person per id: two workers taking in the same id at once collide here
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_social_leads_identity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(96), nullable=False)  # Identity.kind
    value: Mapped[str] = mapped_column(String(255), nullable=False)
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_lead.id", ondelete="SET NULL"), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_person.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow,
                                                 nullable=False)

    def __repr__(self):
        return f"{self.kind}: {self.value}"
