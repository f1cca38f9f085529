from flask_appbuilder import Model
from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class LostReason(Model):
    """Why an opportunity was lost (价格太高, 选择了竞争对手...); required to mark it lost."""
    __tablename__ = "sales_lost_reason"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    def __repr__(self):
        return self.name
