"""A column of a team's ticket flow. Stages without a team are the default
flow, used by teams that define none of their own. `kind` is what the desk
does with a stage (the SLA pauses in `waiting`, stops in `solved`); the name
is what people read, in English and Chinese."""
from flask_appbuilder import Model
from flask_babel import get_locale
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

NEW, IN_PROGRESS, WAITING, SOLVED, CLOSED = "new", "in_progress", "waiting", "solved", "closed"
KINDS = (NEW, IN_PROGRESS, WAITING, SOLVED, CLOSED)
DONE = (SOLVED, CLOSED)  # a ticket in these no longer runs against its SLA


class TicketStage(Model):
    __tablename__ = "desk_stage"
    __table_args__ = (CheckConstraint(
        "kind IN ('new', 'in_progress', 'waiting', 'solved', 'closed')",
        name="ck_desk_stage_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default=IN_PROGRESS)
    sequence: Mapped[int] = mapped_column(Integer, default=10)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("crossdock_team.id", ondelete="CASCADE"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    team = relationship("Team")

    def label(self) -> str:
        """The name in the reader's language (Chinese when given and asked for)."""
        locale = get_locale()
        if self.name_zh and locale is not None and locale.language == "zh":
            return self.name_zh
        return self.name

    def __repr__(self):
        return self.label()
