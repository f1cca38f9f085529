"""An e-mail address of a company or a person; reachable only through its
parent, like a phone (see contact_phone.py for why it has no owner)."""
from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..rules.email_normalisation import normalise_email
from .contact_phone import ONE_PARENT


class ContactEmail(Model):
    __tablename__ = "contacts_email"
    __table_args__ = (CheckConstraint(ONE_PARENT, name="ck_contacts_email_one_parent"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_company.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32), default="work")
    email: Mapped[str] = mapped_column(String(254))  # as typed
    # lower-cased, Unicode domain; duplicate detection looks contacts up by it
    normalised: Mapped[str] = mapped_column(String(254), index=True)

    company = relationship("Company", back_populates="emails")
    person = relationship("Person", back_populates="emails")

    @validates("email")
    def _normalise(self, _key, value):
        self.normalised = normalise_email(value, field="emails")
        return value.strip()

    def __repr__(self):
        return f"{self.kind}: {self.email}"
