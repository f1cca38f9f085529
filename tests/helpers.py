"""What tests do as a user would: log in through the form, post with the CSRF
token, run the `crossdock` command."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from core.db import db
from core.security.teams import Team
from core.users import create_user
from tests.live_server import EXAMPLE_ADDONS, TESTS_DIR

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "Secret-pass-123"
CROSSDOCK = str(Path(sys.executable).with_name("crossdock"))


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def add_user(app, username: str, roles: list[str], team: str | None = None):
    with app.app_context():
        user = create_user(app.appbuilder.sm, username, f"{username}@example.com",
                           PASSWORD, roles)
        if team:
            t = db.session.query(Team).filter_by(name=team).one_or_none() or Team(name=team)
            t.members.append(user)
            db.session.add(t)
            db.session.commit()
        return user.id


def login(client, username: str, password: str = PASSWORD):
    """Log in through the HTML form; returns the session's CSRF token."""
    token = csrf_token(client.get("/login/").get_data(as_text=True))
    resp = client.post("/login/", data={"username": username, "password": password,
                                        "csrf_token": token})
    assert resp.status_code in (200, 302), resp.status_code
    return token


def form_login(client, username: str, password: str):
    """One attempt through the HTML form; the raw response."""
    token = csrf_token(client.get("/login/").get_data(as_text=True))
    return client.post("/login/", data={"username": username, "password": password,
                                        "csrf_token": token})


def rest_login(client, username: str, password: str):
    """One attempt through the REST login; the raw response."""
    return client.post("/api/v1/security/login", json={
        "username": username, "password": password, "provider": "db"})


def api_token(client, username: str, password: str = PASSWORD) -> str:
    resp = client.post("/api/v1/security/login",
                       json={"username": username, "password": password, "provider": "db"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()["access_token"]


def install(app, *names):
    from core.addons import lifecycle

    with app.app_context():
        return lifecycle.install(db.session, app.extensions["crossdock"].runtime, list(names))


def run_cli(tmp_path, database_url, *args, stdin=None):
    """`crossdock *args` on that instance and database, as an operator runs it."""
    env = {**os.environ,
           "CROSSDOCK_INSTANCE_PATH": str(tmp_path / "instance"),
           "CROSSDOCK_DATABASE_URL": database_url,
           "CROSSDOCK_ADDONS_PATH": os.pathsep.join(
               [str(EXAMPLE_ADDONS), str(TESTS_DIR / "addons_faulty")])}
    return subprocess.run([CROSSDOCK, *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=120)


def company_form(token, **fields):
    """The company form as the browser posts it: every field, blank unless given."""
    data = {"name": "", "tax_id": "", "phone_lines": "", "email_lines": "", "website": "",
            "street": "", "city": "", "province": "", "postal_code": "", "country_code": "",
            "industry": "", "source": "", "tier": "__None", "owner": "__None",
            "team": "__None", "active": "y", "notes": "", "csrf_token": token}
    data.update(fields)
    return data
