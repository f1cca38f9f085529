"""Login throttling and login auditing, for the HTML form and the REST login alike.

Both FAB login paths end in `SecurityManager.auth_user_db`, so that is where
attempts are recorded (as audit rows), and a `before_request` hook in front of
both endpoints refuses further attempts with 429 once a user name or an
address has failed too often within the window. Counting lives in the
database, so every web process shares it.

Attempts count under the lower-cased user name (FAB finds the user ignoring
case). A success clears the failures of its own name only, in the name's
count and in the address's: a success for another name, say the attacker's
own account, must not reset the count of the address guessing from.
"""
from __future__ import annotations

import datetime as dt

from flask import current_app, jsonify, make_response, render_template, request
from flask_appbuilder.security.sqla.manager import SecurityManager
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased, joinedload

from ..api.security_api import SecurityApi
from ..db import db
from ..views.user_stats import UserStatsChart
from .audit import AuditLog, record_event
from .permission_cache import PermissionsPerRequest
from .group_views import RoleModelView, UserGroupModelView
from .usernames import UserDBModelView, username_key

LOGIN_ENDPOINTS = {"AuthDBView.login", "SecurityApi.login"}
IP_FACTOR = 4  # an address may fail this many times more than one user name


class CrossdockSecurityManager(PermissionsPerRequest, SecurityManager):
    security_api = SecurityApi  # REST login: `provider` optional (FAB: a 500 without it)
    userdbmodelview = UserDBModelView
    userstatschartview = UserStatsChart  # drawn locally, not with Google Charts
    groupmodelview = UserGroupModelView  # columns labelled (and translated)
    rolemodelview = RoleModelView

    def get_user_by_id(self, pk):
        """The request's user with its roles and groups in one query (a lazy
        load of each would be two more queries on every request)."""
        return self.session.get(self.user_model, pk, options=[
            joinedload(self.user_model.roles), joinedload(self.user_model.groups)])

    def auth_user_db(self, username, password):
        user = super().auth_user_db(username, password)
        record_event(db.session, "login_success" if user else "login_failure",
                     "User", username_key(username))
        db.session.commit()
        return user


def _failures_since(column, value, since: dt.datetime) -> int:
    """Failures where `column` is `value` within the window, but for those of
    a name that has logged in successfully after them."""
    success = aliased(AuditLog)
    cleared = exists().where(success.action == "login_success",
                             success.record_id == AuditLog.record_id,
                             success.at >= AuditLog.at, success.id > AuditLog.id)
    stmt = select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "login_failure", column == value, AuditLog.at >= since,
        ~cleared,
    )
    return db.session.scalar(stmt) or 0


def seconds_until_allowed(username: str, ip: str | None) -> int:
    """0 if a login attempt may proceed, else how long to wait."""
    settings = current_app.extensions["crossdock"].settings
    window = settings.login_window_seconds
    limit = settings.login_max_failures
    since = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(
        seconds=window)
    blocked = _failures_since(AuditLog.record_id, username_key(username), since) >= limit
    if ip and not blocked:
        blocked = _failures_since(AuditLog.ip, ip, since) >= limit * IP_FACTOR
    return window if blocked else 0


def guard_login() -> object | None:
    """before_request: answer 429 to a login attempt that is over the limit."""
    if request.method != "POST" or request.endpoint not in LOGIN_ENDPOINTS:
        return None
    if request.is_json:
        body = request.get_json(silent=True)  # any JSON: FAB's schema answers a non-object
        username = str(body.get("username") or "") if isinstance(body, dict) else ""
    else:
        username = request.form.get("username", "")
    if "\x00" in username:  # no user has it, and PostgreSQL refuses it in a query: 500
        if request.endpoint == "SecurityApi.login":
            return make_response(jsonify(message="username may not contain NUL characters"), 400)
        return make_response("username may not contain NUL characters", 400)
    wait = seconds_until_allowed(username, request.remote_addr)
    if not wait:
        return None
    minutes = max(1, wait // 60)
    if request.endpoint == "SecurityApi.login":
        resp = jsonify(message=f"Too many failed logins; try again in {minutes} minutes.")
    else:
        # outside a FAB view `appbuilder` is not in the template context, and
        # without it the page extending its base template was a 500, not a 429
        resp = make_response(render_template("crossdock/throttled.html", minutes=minutes,
                                             appbuilder=current_app.appbuilder))
    resp.status_code = 429
    resp.headers["Retry-After"] = str(wait)
    return resp
