"""An SLA policy: targets in working minutes for the first response and the
resolution of the tickets it matches. Matched per ticket at creation
(services/sla/policy_match.py): the team's policies before the ones for
every team, then by sequence; an empty condition matches anything."""
from flask_appbuilder import Model
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship


class SlaPolicy(Model):
    __tablename__ = "desk_sla_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    sequence: Mapped[int] = mapped_column(Integer, default=10)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("crossdock_team.id", ondelete="CASCADE"), index=True)
    priority: Mapped[int | None] = mapped_column(Integer)
    ticket_type: Mapped[str | None] = mapped_column(String(32))
    tag_id: Mapped[int | None] = mapped_column(ForeignKey("desk_tag.id", ondelete="CASCADE"))
    tier_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_tier.id", ondelete="CASCADE"))
    first_response_minutes: Mapped[int | None] = mapped_column(Integer)
    resolution_minutes: Mapped[int | None] = mapped_column(Integer)

    team = relationship("Team")
    tag = relationship("DeskTag")
    tier = relationship("Tier")

    def __repr__(self):
        return self.name
