"""What `addon.extend(...)` refuses at start, and how an accepted column is
mapped: deferred, left out of an INSERT that does not assign it."""
from __future__ import annotations

import pytest
from sqlalchemy import Column, Date, ForeignKey, Integer, String, create_engine, insert, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from core.addons.loader import AddonDeclarationError, AddonRegistrar
from core.addons.model_extension import fields_of
from core.security import audit


class Base(DeclarativeBase):
    pass


class Shop(Base):
    __tablename__ = "ut_shop"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


class Region(Base):
    __tablename__ = "ut_region"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


audit.exclude("Shop")  # a throwaway table: the audit log (a session listener) is not here
audit.exclude("Region")


@pytest.mark.parametrize("column, why", [
    (Column(Integer, default=0), "default"),
    (Column(Integer, server_default="0"), "server default"),
    (Column(Integer, nullable=False), "nullable"),
    (Column(Integer, primary_key=True), "primary key"),
])
def test_refused_columns_name_the_addon_and_the_field(column, why):
    with pytest.raises(AddonDeclarationError, match=f"addon 'ext_a': Shop.bad.*{why}"):
        AddonRegistrar("ext_a").extend(Shop, bad=column)


def test_a_field_the_model_has_or_another_addon_added_is_refused():
    AddonRegistrar("ext_b").extend(Shop, stars=Column(Integer))
    with pytest.raises(AddonDeclarationError, match="already has 'name'"):
        AddonRegistrar("ext_c").extend(Shop, name=Column(String(5)))
    with pytest.raises(AddonDeclarationError, match="already an extension of addon 'ext_b'"):
        AddonRegistrar("ext_c").extend(Shop, stars=Column(Integer))
    AddonRegistrar("ext_b").extend(Shop, stars=Column(Integer))  # a second app: kept as is


def test_a_relationship_must_be_many_to_one_through_the_addons_column():
    with pytest.raises(AddonDeclarationError, match="give the column its type"):
        AddonRegistrar("ext_d").extend(Shop, region_id=Column(ForeignKey("ut_region.id")))
    AddonRegistrar("ext_d").extend(
        Shop, region_id=Column(Integer, ForeignKey("ut_region.id")),
        region=relationship(Region, foreign_keys="Shop.region_id"))
    assert {f.name for f in fields_of(Shop) if f.addon == "ext_d"} == {"region_id", "region"}
    with pytest.raises(AddonDeclarationError, match="must be a Column or a relationship"):
        AddonRegistrar("ext_e").extend(Shop, opened=Date)


def test_rows_written_without_the_column_when_not_assigned():
    AddonRegistrar("ext_f").extend(Shop, visits=Column(Integer))
    engine = create_engine("sqlite://")
    with engine.begin() as conn:  # the table as it is while the addon is not installed
        conn.execute(text("CREATE TABLE ut_shop (id INTEGER PRIMARY KEY, name VARCHAR(50))"))
    statements = []
    from sqlalchemy import event
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cur, stmt, *a: statements.append(stmt))
    with Session(engine) as session:
        session.add(Shop(name="A"))  # not even the foreign key of ext_d's relationship
        session.commit()
        shop = session.get(Shop, 1)
        shop.name = "B"
        session.commit()
        assert shop.name == "B"
    assert not any("visits" in s for s in statements), statements
    assert "visits" in str(insert(Shop).values(name="x", visits=1))  # assigned: written
