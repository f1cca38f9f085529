"""Languages and time zones: each user's choice, stored, and what every
request uses.

The locale of a request is, in order: the logged-in user's stored choice,
the choice made in this browser session, the best match of the browser's
Accept-Language among `LANGUAGES`, then `BABEL_DEFAULT_LOCALE`. FAB's `_l_`
query argument (used by its REST API to translate labels) still overrides
all of them for that one request, and changes nothing.

The language is switched by POST only (`PreferencesView.language`, CSRF
checked like every POST); FAB's `GET /lang/<locale>` answers 405.

Times are stored in UTC (naive datetimes) and shown and typed in the request's
time zone: the logged-in user's stored choice, else the deployment's
(`CROSSDOCK_TIME_ZONE`). flask-babel's `format_datetime`, `to_user_timezone`
and `to_utc` use it; pages print every datetime through `shown_datetime`, and
FAB's forms read and write datetimes in it (core/views/local_datetime.py).
The REST API stays in UTC, with the offset.
"""
from __future__ import annotations

import re
from datetime import datetime

import pytz
from flask import abort, current_app, g, has_request_context, request, session
from flask_appbuilder import Model
from flask_babel import (format_datetime, get_babel, get_locale, get_translations, gettext,
                         refresh)
from flask_login import current_user
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .db import db
from .security.audit_actions import action_label

SESSION_KEY = "locale"  # the key FAB's own views and templates read


class UserPreference(Model):
    """A user's personal settings (one row per user, created on first change)."""
    __tablename__ = "crossdock_user_preference"

    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False)
    locale: Mapped[str | None] = mapped_column(String(8))  # None: the browser's
    time_zone: Mapped[str | None] = mapped_column(String(64))  # None: the deployment's

    def __repr__(self) -> str:
        return f"{self.user_id}: {self.locale} {self.time_zone}"


def languages() -> dict:
    return current_app.config["LANGUAGES"]


def _user_id() -> int | None:
    user = current_user
    if user is None or not user.is_authenticated:
        return None
    return user.id


def _stored(user_id: int) -> tuple[str | None, str | None]:
    """(locale, time zone) as stored; read once per request, as most users have
    no row (which the session's identity map cannot remember)."""
    cache = g.setdefault("_crossdock_preferences", {}) if has_request_context() else {}
    if user_id not in cache:
        pref = db.session.get(UserPreference, user_id)
        cache[user_id] = (pref.locale, pref.time_zone) if pref is not None else (None, None)
    return cache[user_id]


def stored_locale(user_id: int) -> str | None:
    return _stored(user_id)[0]


def stored_time_zone(user_id: int) -> str | None:
    return _stored(user_id)[1]


def time_zones() -> list[str]:
    """The zones a user may choose (IANA names in common use)."""
    return list(pytz.common_timezones)


def select_time_zone() -> str | None:
    """flask-babel's time zone selector: the user's, else None (the deployment's)."""
    user_id = _user_id() if has_request_context() else None
    zone = stored_time_zone(user_id) if user_id is not None else None
    return zone if zone in pytz.all_timezones_set else None


def set_time_zone(zone: str) -> None:
    """Store the logged-in user's time zone."""
    if zone not in pytz.all_timezones_set:
        raise ValueError(f"unknown time zone '{zone}'")
    _preference(_user_id()).time_zone = zone
    db.session.commit()
    refresh()


def shown_datetime(value) -> str:
    """A stored (UTC) datetime as a person reads it: in their time zone, to the minute."""
    return format_datetime(value, "yyyy-MM-dd HH:mm")


def shown_bool(value: bool) -> str:
    """A yes/no value as a person reads it, in their language."""
    return gettext("Yes") if value else gettext("No")


_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


def shown_change(value):
    """A value the audit log recorded (JSON: datetimes as ISO text, in UTC) as
    a person reads it."""
    if isinstance(value, str) and _ISO_DATETIME.fullmatch(value):
        return shown_datetime(datetime.fromisoformat(value))
    if isinstance(value, bool):
        return shown_bool(value)
    return value


def _preference(user_id: int) -> UserPreference:
    if has_request_context():
        g.pop("_crossdock_preferences", None)  # about to change
    pref = db.session.get(UserPreference, user_id)
    if pref is None:
        pref = UserPreference(user_id=user_id)
        db.session.add(pref)
    return pref


def select_locale() -> str | None:
    """flask-babel's locale selector (cached by flask-babel for the request)."""
    if not has_request_context():
        return None  # flask-babel then uses BABEL_DEFAULT_LOCALE
    known = languages()
    override = request.args.get("_l_")
    if override in known:
        return override
    user_id = _user_id()
    if user_id is not None:
        locale = stored_locale(user_id)
        if locale in known:
            return locale
    locale = session.get(SESSION_KEY)
    if locale in known:
        return locale
    return request.accept_languages.best_match(list(known)) or None


def set_locale(locale: str) -> None:
    """Switch this session's language, and the logged-in user's stored one."""
    if locale not in languages():
        raise ValueError(f"unsupported language '{locale}'")
    user_id = _user_id()
    if user_id is not None:
        _preference(user_id).locale = locale
        db.session.commit()
    session[SESSION_KEY] = locale
    refresh()


def current_locale() -> str:
    """The request's language as a `LANGUAGES` key (for the navbar's menu)."""
    locale = str(get_locale() or "")
    return locale if locale in languages() else current_app.config["BABEL_DEFAULT_LOCALE"]


def _locale_get_refused(locale: str):
    """FAB's GET /lang/<locale>: a GET changes nothing; the menu POSTs instead."""
    abort(405)


def request_translations():
    """flask-babel's translations for the current locale, looked up once per
    locale and request: its own lookup, per call, costs four context lookups
    and a locale formatting (a page of 150 activities calls it ~500 times).
    Kept beside flask-babel's locale, so its refresh() (a language change)
    drops it with the locale it belongs to."""
    if not g:  # no application context: flask-babel's own answer (no translations)
        return get_translations()
    ctx = g.get("_flask_babel")
    locale = getattr(ctx, "babel_locale", None)
    kept = getattr(ctx, "crossdock_translations", None)
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    ctx = g.get("_flask_babel")  # created by the lookup when it was missing
    if ctx is not None:
        ctx.crossdock_translations = (getattr(ctx, "babel_locale", None), translations)
    return translations


def init_app(app, appbuilder) -> None:
    """Install our locale selector in place of FAB's, and retire its GET switch.

    FAB's BabelManager creates flask-babel inside `AppBuilder.init_app` with
    its own selector and offers no hook for another; flask-babel 4 keeps the
    selector on its per-app configuration, where it is replaced here.
    """
    get_babel(app).locale_selector = select_locale
    get_babel(app).timezone_selector = select_time_zone
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.add_template_filter(shown_datetime, "localtime")
    app.add_template_filter(shown_change, "audit_value")
    app.add_template_global(current_locale, "crossdock_locale")
    app.add_template_global(action_label, "audit_action")
    view = appbuilder.bm.locale_view
    if view is not None:
        app.view_functions[f"{view.endpoint}.{view.default_view}"] = _locale_get_refused
