"""User names are one name whatever their case.

FAB looks users up by lower(username), but its user forms and the table's
unique constraint compare exactly: "Victim" beside "victim" made both unable
to log in (FAB finds two rows and gives up) and gave each case variant its
own throttling count. So the check here, FAB's user forms and a unique index
on lower(username) (migration 0004) all compare ignoring case.
"""
from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from flask_appbuilder.security import views as fab_views
from sqlalchemy import Index, func, select
from sqlalchemy.orm import Session
from wtforms import ValidationError

from ..db import db

# declared here so that models and migrations agree (tests/integration/test_migrations.py)
Index("ux_ab_user_username_lower", func.lower(User.__table__.c.username), unique=True)


def username_key(username: str | None) -> str:
    """The name a login attempt counts under (the audit row's record_id)."""
    return (username or "").lower()[:64]


def username_taken(session: Session, username: str, except_id: int | None = None) -> bool:
    stmt = select(User.id).where(func.lower(User.username) == username.lower())
    if except_id is not None:
        stmt = stmt.where(User.id != except_id)
    return session.scalar(stmt.limit(1)) is not None


class UniqueIgnoringCase:
    """WTForms validator: no other user has this name in any case."""

    def __call__(self, form, field) -> None:
        if field.data and username_taken(db.session, field.data, getattr(form, "_id", None)):
            raise ValidationError(field.gettext("Already exists."))


class UserDBModelView(fab_views.UserDBModelView):
    """FAB's user screen, its add and edit forms refusing a case variant of a
    name. Same class name as FAB's: it is the endpoint and the permission name."""

    validators_columns = {**fab_views.UserDBModelView.validators_columns,
                          "username": [UniqueIgnoringCase()]}
