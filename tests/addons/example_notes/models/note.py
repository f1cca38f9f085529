from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Note(Model):
    __tablename__ = "example_note"
    __team_field__ = "team_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("crossdock_team.id"), index=True)
    owner = relationship("User")
    team = relationship("Team")

    def __repr__(self):
        return self.title
