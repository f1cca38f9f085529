"""A phone number of a company or a person.

Why no owner and no record rules of its own: a phone is reachable only
through its parent. No screen, API, picker or search column lists phones on
their own; they are read as `company.phones` / `person.phones` after the
parent itself passed the record rules, and written only by the parent's form
or API (a write the rules check on the parent). Copying the parent's owner
into every child would be a second truth to keep in step on each hand-over.
"""
from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..rules.phone_normalisation import normalise_phone, phone_extension

ONE_PARENT = ("(company_id IS NULL AND person_id IS NOT NULL)"
              " OR (company_id IS NOT NULL AND person_id IS NULL)")


class ContactPhone(Model):
    __tablename__ = "contacts_phone"
    __table_args__ = (CheckConstraint(ONE_PARENT, name="ck_contacts_phone_one_parent"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_company.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32), default="work")  # mobile, work, home...
    number: Mapped[str] = mapped_column(String(64))  # as typed
    # E.164; duplicate detection looks contacts up by it
    e164: Mapped[str] = mapped_column(String(32), index=True)
    extension: Mapped[str | None] = mapped_column(String(16))  # "转 123" -> 123; not in e164

    company = relationship("Company", back_populates="phones")
    person = relationship("Person", back_populates="phones")

    @validates("number")
    def _normalise(self, _key, value):
        self.e164 = normalise_phone(value, field="phones")
        self.extension = phone_extension(value)
        return value.strip()

    def __repr__(self):
        return f"{self.kind}: {self.number}"
