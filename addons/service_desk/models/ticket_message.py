"""One entry of a ticket's thread: a public reply (the customer's or an
agent's, by mail or typed) or an internal note (agents only), with its
attachments. `message_id` is the mail's Message-ID (unique: a mail read
twice is one message); mail threading looks tickets up by it."""
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import (CheckConstraint, DateTime, ForeignKey, Integer, LargeBinary, String,
                        Text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

PUBLIC, NOTE = "public", "note"
INBOUND, OUTBOUND = "in", "out"  # from the customer, from us


class TicketMessage(Model):
    __tablename__ = "desk_message"
    __table_args__ = (
        CheckConstraint("kind IN ('public', 'note')", name="ck_desk_message_kind"),
        CheckConstraint("direction IN ('in', 'out')", name="ck_desk_message_direction"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("desk_ticket.id", ondelete="CASCADE"),
                                           index=True)
    kind: Mapped[str] = mapped_column(String(8), default=PUBLIC)
    direction: Mapped[str] = mapped_column(String(3), default=OUTBOUND)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))  # an agent
    author_email: Mapped[str | None] = mapped_column(String(254))  # the customer
    author_name: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str | None] = mapped_column(String(8))
    message_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)

    ticket = relationship("addons.service_desk.models.ticket.Ticket", back_populates="messages")
    author = relationship("User")
    attachments = relationship("TicketAttachment", back_populates="message",
                               cascade="all, delete-orphan", order_by="TicketAttachment.id")

    def __repr__(self):
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class TicketAttachment(Model):
    """A file sent with a message, kept as received."""
    __tablename__ = "desk_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("desk_message.id", ondelete="CASCADE"),
                                            index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[bytes] = mapped_column(LargeBinary)

    message = relationship("TicketMessage", back_populates="attachments")

    def __repr__(self):
        return self.filename
