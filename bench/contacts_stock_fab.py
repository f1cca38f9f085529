"""Stock Flask-AppBuilder over the contacts tables: the bench's baseline.

A separate, minimal FAB app (plain SQLAInterface, FAB's LIKE filters and
COUNT(*), no record rules, no index) mounted on the database the seeder
filled. A salesperson's scope is emulated the stock way, with base_filters
on owner_id. Anonymous requests get the Admin role's permissions
(AUTH_ROLE_PUBLIC), so the bench needs no login here.

    .venv/bin/python bench/contacts_stock_fab.py --url URL --port 5101 --owner-id 2
"""
from __future__ import annotations

import argparse

from flask import Flask
from flask_appbuilder import AppBuilder, Model, ModelRestApi, ModelView
from flask_appbuilder.models.sqla.base import SQLA
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class StockPerson(Model):
    __tablename__ = "contacts_person"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(128))
    city: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    owner_id: Mapped[int | None] = mapped_column(Integer)


class StockEmail(Model):
    __tablename__ = "contacts_email"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("contacts_person.id"))
    kind: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(254))
    normalised: Mapped[str] = mapped_column(String(254))


class StockPhone(Model):
    __tablename__ = "contacts_phone"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("contacts_person.id"))
    kind: Mapped[str] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(64))
    e164: Mapped[str] = mapped_column(String(32))


def build(url: str, owner_id: int) -> Flask:
    app = Flask("stock_fab")
    app.config.update(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="bench-stock",
                      AUTH_ROLE_PUBLIC="Admin", FAB_UPDATE_PERMS=True,
                      WTF_CSRF_ENABLED=False, FAB_API_MAX_PAGE_SIZE=100)
    db = SQLA(app)
    own = [["owner_id", FilterEqual, owner_id]]

    def view(model, columns, search, name, base_filters=None):
        attrs = dict(datamodel=SQLAInterface(model), list_columns=columns,
                     add_columns=columns, search_columns=search,
                     base_order=("id", "asc") if model is not StockPerson else ("name", "asc"))
        if base_filters:
            attrs["base_filters"] = base_filters
        return type(name, (ModelView,), attrs)

    def api(model, columns, search, name, resource, base_filters=None):
        attrs = dict(datamodel=SQLAInterface(model), resource_name=resource,
                     list_columns=["id", *columns], add_columns=columns,
                     search_columns=search, base_order=("name", "asc")
                     if model is StockPerson else ("id", "asc"))
        if base_filters:
            attrs["base_filters"] = base_filters
        return type(name, (ModelRestApi,), attrs)

    person_cols = ["name", "job_title", "city", "active"]
    with app.app_context():
        ab = AppBuilder(app, db.session)
        for suffix, flt in (("", None), ("Own", own)):
            ab.add_view_no_menu(view(StockPerson, person_cols, ["name", "city"],
                                     f"StockPerson{suffix}View", flt))
            ab.add_api(api(StockPerson, person_cols, ["name", "city"],
                           f"StockPerson{suffix}Api", f"stock_person{suffix.lower()}", flt))
        ab.add_view_no_menu(view(StockEmail, ["email", "normalised"], ["normalised"],
                                 "StockEmailView"))
        ab.add_view_no_menu(view(StockPhone, ["number", "e164"], ["e164"], "StockPhoneView"))
        ab.add_api(api(StockEmail, ["email", "normalised"], ["normalised"], "StockEmailApi",
                       "stock_email"))
        ab.add_api(api(StockPhone, ["number", "e164"], ["e164"], "StockPhoneApi",
                       "stock_phone"))
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--port", type=int, default=5101)
    parser.add_argument("--owner-id", type=int, required=True)
    args = parser.parse_args()
    build(args.url, args.owner_id).run(host="127.0.0.1", port=args.port, threaded=True,
                                       use_reloader=False)
