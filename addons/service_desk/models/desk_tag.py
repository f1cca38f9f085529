from flask_appbuilder import Model
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class DeskTag(Model):
    """A ticket tag ("billing", "outage"); SLA policies may match on one."""
    __tablename__ = "desk_tag"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)

    def __repr__(self):
        return self.name
