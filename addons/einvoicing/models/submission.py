from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import (DateTime, ForeignKey, Integer, LargeBinary, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

SYNC_MODEL = "einvoicing.submission"  # the hub's model name: jobs and bindings


class EinvoiceSubmission(Model):
    """One e-invoice of one invoice through one channel: the file as it left
    (kept, the legal original), the remote's id for it, and its state
    (services/sending/states.py). A document the remote refused for good is
    sent again as a new submission (SdI wants a new file name), so an invoice
    may have several; `attempt` numbers them."""
    __tablename__ = "einvoicing_submission"
    __table_args__ = (UniqueConstraint("invoice_id", "channel", "attempt"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoicing_invoice.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # services/channels
    attempt: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    backend_id: Mapped[int | None] = mapped_column(ForeignKey("hub_backend.id"))
    state: Mapped[str] = mapped_column(String(16), index=True)
    state_text: Mapped[str | None] = mapped_column(Text)  # the remote's words, or why not sent
    file_name: Mapped[str | None] = mapped_column(String(128))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)  # what was (or will be) sent
    content_type: Mapped[str | None] = mapped_column(String(64))
    routing_json: Mapped[str | None] = mapped_column(Text)  # who receives it, for the remote
    remote_id: Mapped[str | None] = mapped_column(String(128), index=True)
    remote_number: Mapped[str | None] = mapped_column(String(64))  # a fapiao's 20 digits
    document_url: Mapped[str | None] = mapped_column(String(512))  # the remote's PDF
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)

    invoice = relationship("Invoice")
    backend = relationship("Backend")
    events = relationship("EinvoiceEvent", order_by="EinvoiceEvent.id",
                          back_populates="submission", cascade="all, delete-orphan")
    fapiao_documents = relationship("FapiaoDocument", order_by="FapiaoDocument.id",
                                    back_populates="submission", cascade="all, delete-orphan")

    def __repr__(self):
        return f"{self.file_name or self.channel} ({self.state})"


class EinvoiceEvent(Model):
    """A step of a submission's history, as the remote said it."""
    __tablename__ = "einvoicing_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("einvoicing_submission.id"),
                                               index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
    state: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    # the remote's message id (SdI's MessageId, ...): a repeated message is one step
    message_id: Mapped[str | None] = mapped_column(String(128))
    details_json: Mapped[str | None] = mapped_column(Text)  # error codes and the like

    submission = relationship("EinvoiceSubmission", back_populates="events")
