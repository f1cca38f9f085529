"""A mail we send (services/sending.py): what was asked, the stable
Message-ID every try of it carries, and how it ended in the server's words."""
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

SYNC_MODEL = "mail_gateway.outgoing"  # the hub's model name on the send jobs

QUEUED, SENT, FAILED, BOUNCED = "queued", "sent", "failed", "bounced"
STATES = (QUEUED, SENT, FAILED, BOUNCED)


class OutgoingMailRecord(Model):
    """One mail about one of our records (`record_model` / `record_id`).
    `reference` gives its Message-ID and VERP bounce address
    (connectors/mail/identity.py): a retry is the same message, a bounce or a
    reply finds it again. `state_text`: the server's words (or the bounce's)."""
    __tablename__ = "mail_outgoing"
    __table_args__ = (Index("ix_mail_outgoing_record", "record_model", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    backend_id: Mapped[int | None] = mapped_column(ForeignKey("hub_backend.id"))
    record_model: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(200))
    message_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    sender: Mapped[str] = mapped_column(String(320))
    to_addresses: Mapped[str] = mapped_column(Text)  # To, one a line
    cc_addresses: Mapped[str | None] = mapped_column(Text)
    reply_to: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(998))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    in_reply_to: Mapped[str | None] = mapped_column(String(255))
    thread_ids: Mapped[str | None] = mapped_column(Text)  # References: Message-IDs, space separated
    auto_submitted: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), index=True, default=QUEUED)
    state_text: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    backend = relationship("Backend")
    attachments = relationship("MailAttachment", order_by="MailAttachment.id",
                               cascade="all, delete-orphan", back_populates="mail")

    @property
    def record(self) -> str:
        """The record it is about, for the screens."""
        return f"{self.record_model} #{self.record_id}" if self.record_model else ""

    def __repr__(self):
        return f"{self.subject} ({self.state})"


class MailAttachment(Model):
    """A file sent with an outgoing mail, kept as sent."""
    __tablename__ = "mail_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mail_id: Mapped[int] = mapped_column(ForeignKey("mail_outgoing.id", ondelete="CASCADE"),
                                         index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(128))
    content: Mapped[bytes] = mapped_column(LargeBinary)

    mail = relationship("OutgoingMailRecord", back_populates="attachments")

    def __repr__(self):
        return self.filename
