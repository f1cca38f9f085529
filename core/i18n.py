"""Languages: each user's choice, stored, and the locale every request uses.

The locale of a request is, in order: the logged-in user's stored choice,
the choice made in this browser session, the best match of the browser's
Accept-Language among `LANGUAGES`, then `BABEL_DEFAULT_LOCALE`. FAB's `_l_`
query argument (used by its REST API to translate labels) still overrides
all of them for that one request, and changes nothing.

The language is switched by POST only (`PreferencesView.language`, CSRF
checked like every POST); FAB's `GET /lang/<locale>` answers 405.
"""
from __future__ import annotations

from flask import abort, current_app, has_request_context, request, session
from flask_appbuilder import Model
from flask_babel import get_babel, get_locale, refresh
from flask_login import current_user
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .db import db

SESSION_KEY = "locale"  # the key FAB's own views and templates read


class UserPreference(Model):
    """A user's personal settings (one row per user, created on first change)."""
    __tablename__ = "crossdock_user_preference"

    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False)
    locale: Mapped[str] = mapped_column(String(8), nullable=False)

    def __repr__(self) -> str:
        return f"{self.user_id}: {self.locale}"


def languages() -> dict:
    return current_app.config["LANGUAGES"]


def _user_id() -> int | None:
    user = current_user
    if user is None or not user.is_authenticated:
        return None
    return user.id


def stored_locale(user_id: int) -> str | None:
    pref = db.session.get(UserPreference, user_id)
    return pref.locale if pref is not None else None


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
        pref = db.session.get(UserPreference, user_id)
        if pref is None:
            db.session.add(UserPreference(user_id=user_id, locale=locale))
        else:
            pref.locale = locale
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


def init_app(app, appbuilder) -> None:
    """Install our locale selector in place of FAB's, and retire its GET switch.

    FAB's BabelManager creates flask-babel inside `AppBuilder.init_app` with
    its own selector and offers no hook for another; flask-babel 4 keeps the
    selector on its per-app configuration, where it is replaced here.
    """
    get_babel(app).locale_selector = select_locale
    app.add_template_global(current_locale, "crossdock_locale")
    view = appbuilder.bm.locale_view
    if view is not None:
        app.view_functions[f"{view.endpoint}.{view.default_view}"] = _locale_get_refused
