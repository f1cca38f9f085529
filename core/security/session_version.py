"""Ending a user's sessions server-side: logout, a new password, deactivation.

Flask's session is a signed cookie, so a copy taken before logout stayed
logged in, and a JWT stays valid until it expires. So each user has a session
version (no row: 0). Login writes it into the session and FAB's access and
refresh tokens carry it as the claim `sv`; a session or token holding another
version than the user's current one is not logged in (a token answers 401).
Logout, a password change (own, by an admin, by any code) and deactivation
bump the version, ending every session and token of that user; the session
in which users change their own password stays logged in.
"""
from __future__ import annotations

from flask import Flask, has_request_context
from flask import session as http_session
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_login import current_user, user_logged_in, user_logged_out
from sqlalchemy import Column, ForeignKey, Integer, Table, event, inspect, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..db import db
from .actor import loading_the_user

user_session_version = Table(
    "crossdock_user_session_version",
    Model.metadata,
    Column("user_id", Integer, ForeignKey("ab_user.id", ondelete="CASCADE"),
           primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
)
SESSION_KEY = "_session_version"
CLAIM = "sv"
_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def current_version(conn: Connection, user_id: int) -> int:
    # on the connection, not the ORM session: the record-rule listener asks for
    # the current user, which is what is being loaded here
    return conn.scalar(select(user_session_version.c.version)
                       .where(user_session_version.c.user_id == user_id)) or 0


def end_sessions(conn: Connection, user_id: int) -> None:
    """Bump the user's version in the caller's transaction (one upsert, so two
    at once both count)."""
    table = user_session_version
    insert = _INSERTS[conn.dialect.name](table).values(user_id=user_id, version=1)
    conn.execute(insert.on_conflict_do_update(index_elements=[table.c.user_id],
                                              set_={"version": table.c.version + 1}))


def _credentials_changed(user: User) -> bool:
    state = inspect(user)
    password = state.attrs.password.history
    active = state.attrs.active.history
    return (password.has_changes() and password.added != password.deleted) or (
        active.has_changes() and not user.active)


def _changed_in_this_session(user: User) -> bool:
    return (has_request_context() and user.active
            and getattr(current_user, "id", None) == user.id)


@event.listens_for(Session, "after_flush")
def _end_sessions_on_credential_change(session: Session, _ctx) -> None:
    """A new password or a deactivation, whatever path wrote it, ends the user's sessions."""
    for obj in session.dirty:
        if isinstance(obj, User) and obj.id is not None and _credentials_changed(obj):
            conn = session.connection()
            end_sessions(conn, obj.id)
            if _changed_in_this_session(obj):
                http_session[SESSION_KEY] = current_version(conn, obj.id)


def init_app(app: Flask) -> None:
    sm = app.appbuilder.sm

    @sm.lm.user_loader
    def _load_session_user(user_id):
        with loading_the_user():
            user = sm.load_user(user_id)
            if user is not None and http_session.get(SESSION_KEY) != current_version(
                    db.session.connection(), user.id):
                return None
        return user

    @user_logged_in.connect_via(app)
    def _stamp_session(_app, user, **_):
        http_session[SESSION_KEY] = current_version(db.session.connection(), user.id)

    @user_logged_out.connect_via(app)
    def _end_on_logout(_app, user, **_):
        if getattr(user, "is_authenticated", False):
            end_sessions(db.session.connection(), user.id)
            db.session.commit()

    jwt = sm.jwt_manager

    @jwt.additional_claims_loader
    def _version_claim(identity):
        return {CLAIM: current_version(db.session.connection(), int(identity))}

    @jwt.token_in_blocklist_loader
    def _outdated(_header, data) -> bool:
        sub = str(data.get("sub", ""))
        return not sub.isdigit() or data.get(CLAIM) != current_version(
            db.session.connection(), int(sub))
