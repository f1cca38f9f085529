"""What companies and people share: address, channels, classification, ownership.

Owner and team make both record-ruled (security/record_rules.csv). Phones and
e-mails are child rows without an owner of their own: see contact_phone.py.
"""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship, validates


def tag_table(owner_table: str) -> Table:
    """The many-to-many link between one kind of contact and Tag."""
    return Table(
        f"{owner_table}_tag", Model.metadata,
        Column("contact_id", Integer, ForeignKey(f"{owner_table}.id", ondelete="CASCADE"),
               primary_key=True),
        Column("tag_id", Integer, ForeignKey("contacts_tag.id", ondelete="CASCADE"),
               primary_key=True, index=True),
    )


class ContactFields:

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    street: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str | None] = mapped_column(String(128))
    province: Mapped[str | None] = mapped_column(String(128))  # province or state
    postal_code: Mapped[str | None] = mapped_column(String(32))
    country_code: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    website: Mapped[str | None] = mapped_column(String(255))
    industry: Mapped[str | None] = mapped_column(String(128))
    source: Mapped[str | None] = mapped_column(String(128))  # where the contact came from
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    @declared_attr
    def tier_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("contacts_tier.id", ondelete="SET NULL"), index=True)

    @declared_attr
    def owner_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("ab_user.id"), index=True)

    @declared_attr
    def team_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("crossdock_team.id"), index=True)

    @declared_attr
    def tier(cls):
        return relationship("Tier")

    @declared_attr
    def owner(cls):
        return relationship("User")

    @declared_attr
    def team(cls):
        return relationship("Team")

    @validates("country_code")
    def _upper_country(self, _key, value):
        return value.strip().upper() or None if value else None

    def phone_list(self) -> str:
        return ", ".join(str(p) for p in self.phones)

    def email_list(self) -> str:
        return ", ".join(str(e) for e in self.emails)

    def __repr__(self):
        return self.name
