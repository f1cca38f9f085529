"""What became of a received mail (services/inbound.py). The raw message is
the hub's stored event (`event_id`): this row is the routing's result."""
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

ROUTED, UNROUTED, BOUNCE, AUTO, TOO_LARGE, THROTTLED = (
    "routed", "unrouted", "bounce", "auto", "too_large", "throttled")
STATES = (ROUTED, UNROUTED, BOUNCE, AUTO, TOO_LARGE, THROTTLED)


class IncomingMailRecord(Model):
    """One received message: who sent it, and where it went (`routed_to`, the
    handler's words; `record_model`/`record_id` when it answered one of our
    mails). `state`: routed, unrouted (no route took it), bounce (matched to
    the outgoing mail it bounces), auto (a robot's mail no route takes),
    too_large, throttled (the sender's rate limit)."""
    __tablename__ = "mail_incoming"
    __table_args__ = (Index("ix_mail_incoming_sender_at", "sender", "received_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("hub_inbound_event.id"), unique=True)
    backend_id: Mapped[int | None] = mapped_column(ForeignKey("hub_backend.id"))
    folder: Mapped[str] = mapped_column(String(255))
    message_id: Mapped[str] = mapped_column(String(255), index=True)
    sender: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(998))
    size: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), index=True)
    routed_to: Mapped[str | None] = mapped_column(Text)
    record_model: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[int | None] = mapped_column(Integer)
    outgoing_id: Mapped[int | None] = mapped_column(ForeignKey("mail_outgoing.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)

    backend = relationship("Backend")
    outgoing = relationship("OutgoingMailRecord")

    @property
    def record(self) -> str:
        """The record it is about, for the screens."""
        return f"{self.record_model} #{self.record_id}" if self.record_model else ""

    def __repr__(self):
        return f"{self.sender}: {self.subject}"
