"""Every seeded role, in Chinese and in English, opens every screen its menus
offer (issue 18's "done when"): with contacts, sales and their demo
installed, each role logs in once per language (the browser's locale, zh-CN
or en-US; no stored preference) and follows every navbar link and its user
menu's entries. No link answers 403, 404 or 500, every page is drawn in the
app's layout (never a bare error page), no cell says "None", and in Chinese
the page says <html lang="zh..."> and none of a few of our own English labels
shows (the catalog-wide check is an integration test's job).

Then a Salesperson logged in twice changes their password and language on
the profile in one browser: the other one's next page is the login page, the
first one carries on in the chosen language.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.live_server import EXAMPLE_ADDONS, REPO, cli, running_server

pytestmark = pytest.mark.browser

PASSWORD = "Every-role-123"
# the sales demo (what `crossdock sales demo` loads, in this one process), and one
# login per seeded role: demo salespeople and managers get a password, the
# roles the demo has no one for get a user of their own
SEED = """
import sys
from sqlalchemy import select
from werkzeug.security import generate_password_hash
from addons.sales.services.seeding.load_demo import load_demo
from core.app import create_app
from core.db import db
from core.security.actor import SYSTEM, acting_as
from core.users import create_user

password = sys.argv[1]
app = create_app()
with app.app_context():
    with acting_as(SYSTEM):
        load_demo(db.session)
        db.session.commit()
    sm = app.appbuilder.sm
    for username in ("demo.wang", "demo.li", "demo.zhang"):
        user = db.session.scalars(select(sm.user_model).filter_by(username=username)).one()
        user.password, user.active = generate_password_hash(password), True
    db.session.commit()
    for username, role in (("finance", "Finance"), ("support", "Support Agent"),
                           ("viewer", "Read-only")):
        create_user(sm, username, f"{username}@example.com", password, [role])
"""
LOGINS = {"Sales Manager": "demo.wang", "Salesperson": "demo.li", "Finance": "finance",
          "Support Agent": "support", "Read-only": "viewer"}
LOCALES = {"zh": "zh-CN", "en": "en-US"}
# a few of our own labels (navbar, headings, buttons): in Chinese none shows as is
ENGLISH = {"Contacts", "Companies", "People", "Sales", "Settings", "Profile", "Logout",
           "Dashboard", "Activities", "Quotations", "Orders", "Search", "Save", "Language",
           "Time zone", "Change password", "Pipeline", "Leads", "Products", "Home"}
# what the page shows a person: link and menu labels, headings, column heads, buttons
LABELS = """() => [...document.querySelectorAll(
    '.navbar a, h1, h2, h3, h4, th, label, button, .btn, .panel-title, legend')]
  .map(e => e.innerText.trim()).filter(t => t)"""
NONE_CELLS = """() => [...document.querySelectorAll('td, dd, th, .board-card')]
  .filter(e => /(^|\\s)None(\\s|$)/.test(e.innerText)).map(e => e.outerHTML.slice(0, 200))"""


@pytest.fixture(scope="module")
def demo(sqlite_templates):
    with running_server(sqlite_templates.get(())) as server:
        cli(server, "addons", "install", "sales")
        env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
        env.update(CROSSDOCK_INSTANCE_PATH=str(server.instance),
                   CROSSDOCK_ADDONS_PATH=str(EXAMPLE_ADDONS))
        out = subprocess.run([sys.executable, "-c", SEED, PASSWORD], cwd=REPO, env=env,
                             capture_output=True, text=True, timeout=180)
        assert out.returncode == 0, out.stderr
        yield server


def _context(browser, locale: str):
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(20_000)
    return context


def _pages_only(context):
    """Fetch the screens, not their styles, scripts and images: what is checked
    is the server's page (test_pages_keep_the_csp.py loads the rest)."""
    context.route("**/*", lambda route: route.continue_()
                  if route.request.resource_type == "document" else route.abort())


def _log_in(page, server, username: str, password: str):
    page.goto(server.url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[name=login] input[type=submit]")
    assert urlsplit(page.url).path != "/login/", f"{username} could not log in"


def _links(page, server) -> list[str]:
    """Every navbar link on this server (menus and the user menu), except logout."""
    hrefs = page.eval_on_selector_all(".navbar a[href]", "links => links.map(a => a.href)")
    out = []
    for href in hrefs:
        url = urlsplit(href)
        if url.netloc == urlsplit(server.url).netloc and url.path not in ("/logout/", "") \
                and not url.path.startswith("/lang/"):
            out.append(url.path + (f"?{url.query}" if url.query else ""))
    return list(dict.fromkeys(out))


def _visit_all(page, server, who: str, lang: str) -> tuple[list[str], int]:
    """Open every screen the menus offer; what went wrong, and how many were opened."""
    problems: list[str] = []
    if urlsplit(page.url).path != "/":
        page.goto(server.url + "/")
    links = _links(page, server)
    assert "/profile/" in links, f"{who}/{lang}: no Profile in the user menu"
    if lang == "en":  # the English labels are looked for where they are
        assert {"Profile", "Logout"} <= set(page.evaluate(LABELS)), page.evaluate(LABELS)
    for path in links:
        resp = page.goto(server.url + path, wait_until="domcontentloaded")
        where = f"{who}/{lang} {path}"
        if resp is None or resp.status >= 400:
            problems.append(f"{where}: HTTP {resp and resp.status}")
            continue
        if urlsplit(page.url).path == "/login/":
            problems.append(f"{where}: sent to the login page")
            continue
        if not page.locator(".navbar").count():
            problems.append(f"{where}: not in the app's layout")
        problems += [f"{where}: 'None' in {cell}" for cell in page.evaluate(NONE_CELLS)]
        if lang == "zh":
            html_lang = page.evaluate("document.documentElement.lang")
            if not html_lang.startswith("zh"):
                problems.append(f"{where}: <html lang={html_lang!r}>")
            english = sorted(ENGLISH & set(page.evaluate(LABELS)))
            if english:
                problems.append(f"{where}: English labels {english}")
    return problems, len(links)


@pytest.mark.parametrize("lang", list(LOCALES))
def test_every_role_opens_every_screen(demo, browser, lang):
    started, problems, opened = time.monotonic(), [], {}
    logins = {"Admin": (demo.username, demo.password),
              **{role: (user, PASSWORD) for role, user in LOGINS.items()}}
    for role, (username, password) in logins.items():
        context = _context(browser, LOCALES[lang])
        _pages_only(context)
        try:
            page = context.new_page()
            _log_in(page, demo, username, password)
            found, opened[role] = _visit_all(page, demo, role, lang)
            problems += found
        finally:
            context.close()
    assert not problems, "\n".join(problems)
    assert opened["Admin"] > 15 and all(n >= 2 for n in opened.values()), opened
    print(f"{lang}: {opened} screens in {time.monotonic() - started:.1f}s")


def test_a_new_password_ends_the_other_session(demo, browser):
    first, second = _context(browser, "en-US"), _context(browser, "en-US")
    try:
        one, other = first.new_page(), second.new_page()
        for page in (one, other):
            _log_in(page, demo, "demo.zhang", PASSWORD)
        one.goto(demo.url + "/profile/")
        one.fill("#current_password", PASSWORD)
        one.fill("#password", "Changed-pass-456")
        one.fill("#conf_password", "Changed-pass-456")
        with one.expect_navigation():
            one.click("button[name=change-password]")
        expect(one.locator(".alert-success")).to_be_visible()
        one.select_option("select[name=locale]", "zh")
        with one.expect_navigation():
            one.click("button[name=save-language]")

        other.goto(demo.url + "/sales/activities/my")
        assert urlsplit(other.url).path == "/login/", other.url

        one.goto(demo.url + "/sales/activities/my")
        assert urlsplit(one.url).path == "/sales/activities/my", one.url
        assert one.evaluate("document.documentElement.lang").startswith("zh")
        assert "Logout" not in one.locator(".navbar").inner_text()
    finally:
        first.close()
        second.close()
