"""An admin-defined field of companies or people (自定义字段).

The definition only: the values live in CustomValue, one row per contact and
field. `key` names the field in forms, the REST API ("custom": {key: value}),
imports and exports, so it never changes once created; neither does
`field_type` (stored values would no longer fit it).
"""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint, inspect
from sqlalchemy.orm import Mapped, mapped_column, validates

from ..rules.field_error import ContactFieldError

APPLIES_TO = ("company", "person")
FIELD_TYPES = ("text", "number", "date", "choice", "boolean", "user")


class CustomField(Model):
    __tablename__ = "contacts_custom_field"
    __table_args__ = (UniqueConstraint("applies_to", "key",
                                       name="uq_contacts_custom_field_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    applies_to: Mapped[str] = mapped_column(String(16))  # "company" or "person"
    key: Mapped[str] = mapped_column(String(64))  # slug: a-z, 0-9, _
    label: Mapped[str] = mapped_column(String(128))
    field_type: Mapped[str] = mapped_column(String(16))  # one of FIELD_TYPES
    choices: Mapped[str | None] = mapped_column(Text)  # one per line, for "choice"
    required: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    show_in_list: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    sequence: Mapped[int] = mapped_column(Integer, default=10, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    @validates("applies_to", "key", "field_type")
    def _fixed_once_created(self, name, value):
        if inspect(self).has_identity and value != getattr(self, name):
            raise ContactFieldError(name, "cannot change once the field is created")
        return value

    def choice_list(self) -> list[str]:
        """The allowed values of a choice field, in the order the admin typed them."""
        return [line.strip() for line in (self.choices or "").splitlines() if line.strip()]

    def __repr__(self):
        return self.label
