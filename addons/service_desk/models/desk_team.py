"""A team's service-desk settings. Teams themselves are the host's
(`crossdock teams`, the "team" of record rules); this row adds who manages
the team's tickets (escalations go to them, they read the team's SLA report),
how new tickets are assigned and the calendar its SLAs count in. An agent
marked away (DeskAgent) gets no new tickets."""
from flask_appbuilder import Model
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

ROUND_ROBIN, LEAST_OPEN, MANUAL = "round_robin", "least_open", "manual"
ASSIGNMENTS = (ROUND_ROBIN, LEAST_OPEN, MANUAL)


class DeskTeam(Model):
    __tablename__ = "desk_team"
    __table_args__ = (CheckConstraint("assignment IN ('round_robin', 'least_open', 'manual')",
                                      name="ck_desk_team_assignment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(
        ForeignKey("crossdock_team.id", ondelete="CASCADE"), unique=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    assignment: Mapped[str] = mapped_column(String(16), default=ROUND_ROBIN)
    calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("desk_calendar.id", ondelete="SET NULL"))
    # the round robin's place: the user who got the last ticket
    last_assigned_id: Mapped[int | None] = mapped_column(Integer)

    team = relationship("Team")
    manager = relationship("User", foreign_keys=[manager_id])
    calendar = relationship("WorkCalendar")

    def __repr__(self):
        return repr(self.team) if self.team is not None else f"team {self.team_id}"


class DeskAgent(Model):
    """An agent's desk state: away agents are skipped by assignment."""
    __tablename__ = "desk_agent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"),
                                         unique=True)
    away: Mapped[bool] = mapped_column(Boolean, default=False)

    user = relationship("User")

    def __repr__(self):
        return repr(self.user)
