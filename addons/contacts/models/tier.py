from flask_appbuilder import Model
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class Tier(Model):
    """A customer classification (客户分级), e.g. A/B/C; admins define the list."""
    __tablename__ = "contacts_tier"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=10)
    description: Mapped[str | None] = mapped_column(String(255))

    def __repr__(self):
        return self.name
