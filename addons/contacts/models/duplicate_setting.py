"""How duplicate detection treats an exact match on save: one row, admins edit it."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

WARN, BLOCK = "warn", "block"
POLICIES = (WARN, BLOCK)


class ContactDuplicateSetting(Model):
    __tablename__ = "contacts_duplicate_setting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # warn: the user confirms "save anyway"; block: the save is refused
    policy: Mapped[str] = mapped_column(String(8), default=WARN)

    def __repr__(self):
        return f"duplicates: {self.policy}"
