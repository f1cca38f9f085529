"""The choices of a form's relation field (search filters, add and edit
forms) read in one light query.

FAB fills each such <select> through the related model's full query: a
COUNT, then every row with its eager relationships (a team with all its
members, a user with roles and groups), then a new SQLAInterface per option
to read its key. On a list page that is a third of the CPU. Here: one SELECT
of the related rows, their relationships left unloaded, in key order, and
the key read from an interface made once. What the options are is unchanged:
the same rows, still through the session, so record rules still apply.
A field with its own filters (`*_query_rel_fields`) keeps FAB's query.
"""
from __future__ import annotations

from flask_appbuilder.forms import GeneralModelConverter
from sqlalchemy import inspect, select
from sqlalchemy.orm import lazyload

_fab_query_func = GeneralModelConverter._get_related_query_func


def _query_func(self, col_name, filter_rel_fields):
    if filter_rel_fields and col_name in filter_rel_fields:
        return _fab_query_func(self, col_name, filter_rel_fields)
    model = self.datamodel.get_related_model(col_name)
    session = self.datamodel.session
    order = inspect(model).primary_key

    def load():
        return session.scalars(select(model).options(lazyload("*")).order_by(*order)).all()
    return load


def _pk_func(self, col_name):
    interface = self.datamodel.get_related_interface(col_name)
    return interface.get_pk_value


def install() -> None:
    GeneralModelConverter._get_related_query_func = _query_func
    GeneralModelConverter._get_related_pk_func = _pk_func
