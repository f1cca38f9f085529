"""The value of one custom field for one company or person.

Like phones (see contact_phone.py) a value has no owner, screen or API of its
own: it is read and written only through its contact, whose record rules
therefore cover it. One typed column per field type holds the value; the
others stay empty.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import (Boolean, CheckConstraint, Date, ForeignKey, Integer, Numeric, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .contact_phone import ONE_PARENT

# which column holds the value of each field type
VALUE_COLUMN = {"text": "value_text", "choice": "value_text", "number": "value_number",
                "date": "value_date", "boolean": "value_bool", "user": "value_user_id"}


class CustomValue(Model):
    __tablename__ = "contacts_custom_value"
    __table_args__ = (
        CheckConstraint(ONE_PARENT, name="ck_contacts_custom_value_one_parent"),
        UniqueConstraint("field_id", "company_id", name="uq_contacts_custom_value_company"),
        UniqueConstraint("field_id", "person_id", name="uq_contacts_custom_value_person"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    field_id: Mapped[int] = mapped_column(
        ForeignKey("contacts_custom_field.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_company.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_person.id", ondelete="CASCADE"), index=True)
    value_text: Mapped[str | None] = mapped_column(Text)
    value_number: Mapped[Decimal | None] = mapped_column(Numeric(24, 6))
    value_date: Mapped[dt.date | None] = mapped_column(Date)
    value_bool: Mapped[bool | None] = mapped_column(Boolean)
    value_user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    field = relationship("CustomField")
    # one-way: set_values attaches a value to a contact not yet flushed (no id yet)
    company = relationship("Company")
    person = relationship("Person")

    def __repr__(self):
        column = VALUE_COLUMN.get(self.field.field_type, "value_text")
        return f"{self.field.key}: {getattr(self, column)}"
