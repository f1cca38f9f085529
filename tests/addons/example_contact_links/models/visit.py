from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class ContactVisit(Model):
    """A visit to a company, met with a person; one visit per company and day."""
    __tablename__ = "example_contact_visit"
    __table_args__ = (UniqueConstraint("company_id", "day",
                                       name="uq_example_contact_visit_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[str] = mapped_column(String(10))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("contacts_company.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("contacts_person.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
