from flask_appbuilder import Model
from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

ticket_watcher = Table(
    "example_ticket_watcher",
    Model.metadata,
    Column("ticket_id", Integer, ForeignKey("example_ticket.id", ondelete="CASCADE"),
           primary_key=True),
    Column("user_id", Integer, ForeignKey("ab_user.id", ondelete="CASCADE"),
           primary_key=True, index=True),
)


class Ticket(Model):
    __tablename__ = "example_ticket"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("crossdock_team.id"), index=True)
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("example_ticket_queue.id"))
    # a link to another ticket: its picker lists tickets, a ruled model
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("example_ticket.id"))
    owner = relationship("User")
    team = relationship("Team")
    queue = relationship("Queue")
    parent = relationship("example_tickets.models.ticket.Ticket", remote_side=[id])
    watchers = relationship("User", secondary=ticket_watcher)

    def __repr__(self):
        return self.title
