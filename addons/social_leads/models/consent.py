"""A person's consent given on a web form (GDPR / PIPL): the text as shown,
its language, when and from which address. One per submission."""
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Consent(Model):
    __tablename__ = "social_leads_consent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int | None] = mapped_column(
        ForeignKey("social_leads_web_form.id", ondelete="SET NULL"), index=True)
    submission_id: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    given_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # UTC, naive
    address: Mapped[str] = mapped_column(String(64), nullable=False)
    email: Mapped[str | None] = mapped_column(String(255), index=True)  # whose, as typed
    phone: Mapped[str | None] = mapped_column(String(64))

    form = relationship("WebForm")

    def __repr__(self):
        return f"{self.submission_id} {self.given_at:%Y-%m-%d %H:%M}"
