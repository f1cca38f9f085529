"""A column mapping remembered for a file layout (kind + normalised header row)."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .import_batch import _now


class ContactImportMapping(Model):
    __tablename__ = "contacts_import_mapping"
    __table_args__ = (UniqueConstraint("kind", "layout_hash",
                                       name="uq_contacts_import_mapping_layout"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    layout_hash: Mapped[str] = mapped_column(String(64))  # sha256, see services/imports/mapping.py
    headers: Mapped[list] = mapped_column(JSON)
    mapping: Mapped[list] = mapped_column(JSON)
    updated_on: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
