from flask_appbuilder import Model
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Stage(Model):
    """A pipeline column. Stages belong to one sales team; a stage without a
    team is the default pipeline, used by teams that define none of their own."""
    __tablename__ = "sales_stage"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("crossdock_team.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=10, nullable=False)
    probability: Mapped[int] = mapped_column(Integer, default=10, nullable=False)  # 0-100 hint
    is_won: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    folded: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)  # on the board
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    team = relationship("Team")

    def __repr__(self):
        return self.name
