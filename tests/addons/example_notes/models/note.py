from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Note(Model):
    __tablename__ = "example_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("crossdock_team.id"), index=True)
    # a link to another note: its form picker lists notes, a model under record rules
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("example_note.id"))
    owner = relationship("User")
    team = relationship("Team")
    parent = relationship("Note", remote_side=[id])

    def owner_name(self) -> str:
        """For the chart: FAB groups by sorting, and User objects do not sort."""
        return self.owner.username if self.owner else ""

    def __repr__(self):
        return self.title
