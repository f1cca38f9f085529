from flask_appbuilder import Model
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class Queue(Model):
    """Where a ticket is filed ("support", "billing"); not ruled itself."""

    __tablename__ = "example_ticket_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)

    def __repr__(self):
        return self.name
