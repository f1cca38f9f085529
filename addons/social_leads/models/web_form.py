"""An embeddable web form: which fields it shows and requires, its consent
and thank-you texts in Chinese and English, the campaign its leads count
for, and the secret its page tokens are signed with (encrypted at rest)."""
import secrets
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.security.secrets import EncryptedText

FIELDS = ("name", "company", "email", "phone", "message")


class WebForm(Model):
    __tablename__ = "social_leads_web_form"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    campaign: Mapped[str | None] = mapped_column(String(128))
    # per field: shown, and required (a required field is shown)
    show_name: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    need_name: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    show_company: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    need_company: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    show_email: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    need_email: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    show_phone: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    need_phone: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    show_message: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    need_message: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # empty consent text: the form asks for no consent
    consent_zh: Mapped[str | None] = mapped_column(Text)
    consent_en: Mapped[str | None] = mapped_column(Text)
    thanks_zh: Mapped[str | None] = mapped_column(Text)
    thanks_en: Mapped[str | None] = mapped_column(Text)
    # signs the page tokens; made when the form is created, never shown
    secret: Mapped[str] = mapped_column(EncryptedText(), nullable=False,
                                        default=lambda: secrets.token_urlsafe(32))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)

    def shown(self, field: str) -> bool:
        return getattr(self, f"show_{field}") or getattr(self, f"need_{field}")

    def required(self, field: str) -> bool:
        return getattr(self, f"need_{field}")

    def consent_text(self, language: str) -> str | None:
        """The consent asked in `language` ("zh" or "en"), else in the other one."""
        first, other = (self.consent_zh, self.consent_en) if language == "zh" else \
            (self.consent_en, self.consent_zh)
        return (first or other or "").strip() or None

    def thanks_text(self, language: str) -> str | None:
        first, other = (self.thanks_zh, self.thanks_en) if language == "zh" else \
            (self.thanks_en, self.thanks_zh)
        return (first or other or "").strip() or None

    def __repr__(self):
        return self.name


class WebFormHit(Model):
    """A POST to a form from an address: the rate limit counts these (in the
    database, so every web process shares the count); older ones are pruned."""
    __tablename__ = "social_leads_web_form_hit"
    __table_args__ = (Index("ix_social_leads_web_form_hit", "form_id", "address", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(
        ForeignKey("social_leads_web_form.id", ondelete="CASCADE"), nullable=False)
    address: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
