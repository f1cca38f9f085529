"""Where polling a mailbox folder stands (services/polling.py)."""
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship


class MailFolder(Model):
    """One folder of one mail account: (UIDVALIDITY, last UID), or for an
    API mailbox its `cursor` (Graph's delta link, Gmail's history id), as of
    the last stored poll, written in the transaction that stores its messages;
    a poll lease (`lease_token` until `lease_until`) so one worker polls it at
    a time; the last poll and its error, for the screen."""
    __tablename__ = "mail_folder"
    __table_args__ = (UniqueConstraint("backend_id", "folder"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    backend_id: Mapped[int] = mapped_column(ForeignKey("hub_backend.id", ondelete="CASCADE"))
    folder: Mapped[str] = mapped_column(String(255))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)  # 32 bits unsigned
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    cursor: Mapped[str | None] = mapped_column(Text)
    lease_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_poll_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_stored: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime)
    notice: Mapped[str | None] = mapped_column(Text)

    backend = relationship("Backend")

    def __repr__(self):
        return f"{self.backend.name if self.backend else self.backend_id}/{self.folder}"
