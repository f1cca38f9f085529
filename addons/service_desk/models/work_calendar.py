"""When a team works: hours of the day in its time zone, working weekdays,
and a public-holiday set (rules/holidays/<set>.csv: holidays and the
adjusted working days, 调休). SLA targets count only this time
(rules/working_time.py)."""
from flask_appbuilder import Model
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class WorkCalendar(Model):
    __tablename__ = "desk_calendar"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    day_start: Mapped[str] = mapped_column(String(5), default="09:00")  # HH:MM, local
    day_end: Mapped[str] = mapped_column(String(5), default="18:00")
    weekdays: Mapped[str] = mapped_column(String(7), default="12345")  # ISO: 1 = Monday
    holidays: Mapped[str | None] = mapped_column(String(16))  # a holiday set: "CN"

    def __repr__(self):
        return self.name
