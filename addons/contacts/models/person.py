from flask import url_for
from flask_appbuilder import Model
from markupsafe import Markup, escape
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .contact_fields import ContactFields, tag_table


class Person(ContactFields, Model):
    __tablename__ = "contacts_person"
    SYNC_MODEL = "contacts.person"  # the name the hub's jobs and bindings use

    job_title: Mapped[str | None] = mapped_column(String(128))
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_company.id", ondelete="SET NULL"), index=True)

    company = relationship("Company", back_populates="people")
    tags = relationship("Tag", secondary=tag_table("contacts_person"))
    phones = relationship("ContactPhone", back_populates="person",
                          cascade="all, delete-orphan", order_by="ContactPhone.id")
    emails = relationship("ContactEmail", back_populates="person",
                          cascade="all, delete-orphan", order_by="ContactEmail.id")

    def company_link(self) -> Markup:
        """The company as a link to its page (empty when none, or not visible to the reader)."""
        if self.company is None:
            return Markup("")
        href = url_for("CompanyView.show", pk=self.company.id)
        return Markup(f'<a href="{escape(href)}">{escape(self.company.name)}</a>')
