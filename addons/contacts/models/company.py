from flask_appbuilder import Model
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..rules.tax_id_validation import normalise_tax_id
from .contact_fields import ContactFields, tag_table


class Company(ContactFields, Model):
    __tablename__ = "contacts_company"
    SYNC_MODEL = "contacts.company"  # the name the hub's jobs and bindings use

    tax_id: Mapped[str | None] = mapped_column(String(64))  # as typed
    # compact and validated; duplicate detection looks companies up by it
    tax_id_normalised: Mapped[str | None] = mapped_column(String(64), index=True)

    tags = relationship("Tag", secondary=tag_table("contacts_company"))
    people = relationship("Person", back_populates="company", passive_deletes=True)
    phones = relationship("ContactPhone", back_populates="company",
                          cascade="all, delete-orphan", order_by="ContactPhone.id")
    emails = relationship("ContactEmail", back_populates="company",
                          cascade="all, delete-orphan", order_by="ContactEmail.id")

    @validates("tax_id")
    def _normalise_tax_id(self, _key, value):
        value = (value or "").strip() or None
        self.tax_id_normalised = normalise_tax_id(value) if value else None
        return value
