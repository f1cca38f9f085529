"""What is installed, stored in the database so that every process agrees.

`crossdock_addon` holds one row per addon ever installed; the single row of
`crossdock_addon_registry` carries a counter bumped by every change, which each
web and worker process polls to notice changes within seconds.
"""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean, DateTime, Integer, String, Text, UniqueConstraint, select, update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

INSTALLED = "installed"
DISABLED = "disabled"
UNINSTALLED = "uninstalled"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class AddonModule(Model):
    __tablename__ = "crossdock_addon"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default=UNINSTALLED)
    installed_version: Mapped[str | None] = mapped_column(String(32))
    updated_on: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AddonRegistryVersion(Model):
    __tablename__ = "crossdock_addon_registry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


def read_states(session: Session) -> dict[str, AddonModule]:
    return {m.name: m for m in session.scalars(select(AddonModule))}


def registry_version(session: Session) -> int:
    return session.scalar(select(AddonRegistryVersion.version).where(
        AddonRegistryVersion.id == 1)) or 0


def bump_registry_version(session: Session) -> None:
    done = session.execute(
        update(AddonRegistryVersion)
        .where(AddonRegistryVersion.id == 1)
        .values(version=AddonRegistryVersion.version + 1)
    ).rowcount
    if not done:
        session.add(AddonRegistryVersion(id=1, version=1))


class ExternalId(Model):
    """A row an addon's data or demo file made: `<addon>.<name>` -> (model, record id)."""
    __tablename__ = "crossdock_external_id"
    __table_args__ = (UniqueConstraint("addon", "name",
                                       name="uq_crossdock_external_id_addon_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    addon: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    model: Mapped[str] = mapped_column(String(128))
    table_name: Mapped[str] = mapped_column(String(128))
    record_id: Mapped[int] = mapped_column(Integer)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # the row existed before (same unique value): never deleted by us, only forgotten
    adopted: Mapped[bool] = mapped_column(Boolean, default=False)
    loaded_values: Mapped[str] = mapped_column(Text)  # JSON of the values last written


class AddonScript(Model):
    """A copy of one migration script of an installed addon (core/addons/scripts.py)."""
    __tablename__ = "crossdock_addon_script"

    addon: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
