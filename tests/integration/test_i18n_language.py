"""Per-user language, on SQLite and PostgreSQL: chosen by POST, stored for the
user, used at every later login; browsers' Accept-Language for visitors;
FAB's GET /lang/<locale> changes nothing."""
from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from core.db import db
from core.i18n import UserPreference
from tests.helpers import add_user, csrf_token, login

# Ours (core/translations) and FAB's (its package) in each language.
MODULES_EN, MODULES_ZH = "<h2>Modules</h2>", "<h2>模块</h2>"
STATE_EN, STATE_ZH = ">uninstalled<", ">未安装<"
FAB_LOGIN_EN = "Enter your login and password below"
FAB_LOGIN_ZH = "请在下面输入您的用户名和密码"
FAB_USERNAME_ZH = "用户名"
FAB_LIST_USERS_EN, FAB_LIST_USERS_ZH = "List Users", "用户列表"


def _page(client, url: str, **headers) -> str:
    resp = client.get(url, headers=headers)
    assert resp.status_code == 200, (url, resp.status_code)
    return resp.get_data(as_text=True)


def _switch(client, locale: str, next_url: str = "/modules/"):
    token = csrf_token(_page(client, next_url))
    return client.post("/preferences/language",
                       data={"locale": locale, "next": next_url, "csrf_token": token})


def _stored(app, user_id: int) -> str | None:
    with app.app_context():
        pref = db.session.get(UserPreference, user_id)
        return pref.locale if pref else None


def _assert_english(html: str) -> None:
    assert MODULES_EN in html and STATE_EN in html and FAB_LIST_USERS_EN in html
    assert MODULES_ZH not in html and STATE_ZH not in html


def _assert_chinese(html: str) -> None:
    assert MODULES_ZH in html and STATE_ZH in html  # ours
    assert FAB_LIST_USERS_ZH in html  # FAB's menu, from FAB's catalog
    assert MODULES_EN not in html and FAB_LIST_USERS_EN not in html


def test_choice_persists_across_logins_and_is_per_user(app):
    boss = add_user(app, "boss", ["Admin"])
    other = add_user(app, "other", ["Admin"])
    client = app.test_client()
    login(client, "boss")
    _assert_english(_page(client, "/modules/"))

    resp = _switch(client, "zh")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/modules/")
    assert _stored(app, boss) == "zh"
    html = _page(client, "/modules/")
    _assert_chinese(html)
    assert "注销" in html  # Logout

    client.get("/logout/")
    login(client, "boss")
    _assert_chinese(_page(client, "/modules/"))

    # A new browser, without the session that made the choice: still Chinese.
    fresh = app.test_client()
    assert FAB_LOGIN_EN in _page(fresh, "/login/")
    login(fresh, "boss")
    _assert_chinese(_page(fresh, "/modules/"))

    # Another user, in another browser, is unaffected.
    second = app.test_client()
    login(second, "other")
    _assert_english(_page(second, "/modules/"))
    assert _stored(app, other) is None

    # Switching back is stored too.
    assert _switch(client, "en").status_code == 302
    assert _stored(app, boss) == "en"
    _assert_english(_page(fresh, "/modules/"))


def test_stored_choice_wins_over_session_and_browser(app):
    boss = add_user(app, "boss", ["Admin"])
    with app.app_context():
        db.session.add(UserPreference(user_id=boss, locale="en"))
        db.session.commit()
    client = app.test_client()
    # As a visitor, this browser picks Chinese (kept in the session only).
    assert _switch(client, "zh", "/login/").status_code == 302
    assert FAB_LOGIN_ZH in _page(client, "/login/")
    login(client, "boss")
    _assert_english(_page(client, "/modules/", **{"Accept-Language": "zh-CN"}))
    assert _stored(app, boss) == "en"


def test_accept_language_for_visitors(app):
    client = app.test_client()
    html = _page(client, "/login/", **{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert FAB_LOGIN_ZH in html and FAB_USERNAME_ZH in html
    assert FAB_LOGIN_EN not in html
    assert FAB_LOGIN_EN in _page(client, "/login/", **{"Accept-Language": "en-US,en;q=0.9"})
    assert FAB_LOGIN_EN in _page(client, "/login/", **{"Accept-Language": "fr-FR"})
    assert FAB_LOGIN_EN in _page(client, "/login/")


def test_get_lang_changes_nothing(app):
    boss = add_user(app, "boss", ["Admin"])
    client = app.test_client()
    assert client.get("/lang/zh").status_code == 405
    assert FAB_LOGIN_EN in _page(client, "/login/")
    login(client, "boss")
    assert client.get("/lang/zh").status_code == 405
    with client.session_transaction() as sess:
        assert "locale" not in sess
    assert _stored(app, boss) is None
    html = _page(client, "/modules/")
    _assert_english(html)
    # The navbar's language menu posts, with the CSRF token; no link to /lang/.
    assert 'action="/preferences/language"' in html and 'value="zh"' in html
    assert 'href="/lang/' not in html


def test_switch_needs_csrf_and_a_known_language(app):
    boss = add_user(app, "boss", ["Admin"])
    client = app.test_client()
    token = login(client, "boss")
    resp = client.post("/preferences/language", data={"locale": "zh", "next": "/modules/"})
    assert resp.status_code == 400
    assert _stored(app, boss) is None
    resp = client.post("/preferences/language", data={"locale": "xx", "csrf_token": token})
    assert resp.status_code == 400
    assert _stored(app, boss) is None
    _assert_english(_page(client, "/modules/"))


def test_switch_never_redirects_off_site(app):
    client = app.test_client()
    token = csrf_token(_page(client, "/login/"))
    resp = client.post("/preferences/language", data={
        "locale": "zh", "next": "https://evil.example/", "csrf_token": token})
    assert resp.status_code == 302
    assert "evil.example" not in resp.headers["Location"]


def test_preference_is_deleted_with_its_user(app):
    boss = add_user(app, "boss", ["Admin"])
    client = app.test_client()
    login(client, "boss")
    assert _switch(client, "zh").status_code == 302
    with app.app_context():
        db.session.delete(db.session.get(User, boss))
        db.session.commit()
        assert db.session.scalars(select(UserPreference)).all() == []


def test_fab_api_label_override_is_per_request_only(app):
    client = app.test_client()
    assert FAB_LOGIN_ZH in _page(client, "/login/?_l_=zh")
    assert FAB_LOGIN_EN in _page(client, "/login/")
    with client.session_transaction() as sess:
        assert "locale" not in sess
