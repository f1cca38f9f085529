"""Every screen in Simplified Chinese shows none of our English (issue 18).

With the sales demo loaded, an Admin and a demo Salesperson open every menu
entry's list, the first record's show and edit pages and the add form of each
list, the start page, dashboard, pipeline board, profile and the hub's
screens, then two refused actions whose reason is flashed. In zh no text a
person reads (text nodes, placeholders, titles, button values; not
<script>/<style>, not a language's own name in the language menu) may contain
an English msgid of our catalogs (core, addons, hub), once the stored data
(names, stage names, products...) is taken out; nor may a text be, letters
only, a msgid in any case ("call" for "Call": a raw key) or Python's
True/False. It cannot pass by accident: the same pages in English each show
some of those msgids, and each zh page shows Chinese."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import pytz
from babel.messages.pofile import read_po
from lxml import html as lxml_html
from sqlalchemy import String, Text, inspect, text

from core.db import db
from tests.helpers import csrf_token, login

pytestmark = pytest.mark.addons("sales")

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [ROOT / "core" / "translations" / "messages.pot",
             *sorted(ROOT.glob("addons/*/i18n/messages.pot")),
             *sorted(ROOT.glob("connectors/*/i18n/messages.pot"))]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
WORD = re.compile(r"[A-Za-z]{2,}")
LONG_WORD = re.compile(r"[A-Za-z]{3,}")
# Shown the same in both languages: brand names, codes, units (not English words).
SAME_IN_ZH = {"ERP", "ERPNext", "Odoo", "Tryton", "REST", "API", "CSV", "XLSX", "JSON", "ID",
              "URL", "CNY", "USD", "EUR", "JPY", "VAT", "OK", "Chart.js", "Crossdock", "UTC",
              "Dramatiq", "HTTP", "SQL", "PDF", "JWT", "Swagger"}
FAB_PERMISSION = re.compile(r"\[?[a-z][a-z_ ]* on [A-Z]")  # "can edit on LeadView"
# FAB's lists of permission and view names (identifiers, in no catalog)
IDENTIFIER_PAGES = ("/permissions/", "/viewmenus/", "/permissionviews/")
MACHINE_KEY = re.compile(r"[a-z][a-z0-9_]*")
ATTRIBUTES = ("placeholder", "title", "alt", "aria-label")
SKIPPED_TAGS = {"script", "style"}
EXTRA_PAGES = {"Admin": ["/", "/profile/", "/sales/board/", "/sales/dashboard/",
                         "/users/userinfo/"],
               "Salesperson": ["/", "/profile/", "/sales/board/", "/sales/dashboard/"]}
LINK = re.compile(r"^/(\w+)/(list|show|edit|add)/?(\d*)")


def _fragments() -> dict[str, str]:
    """English fragment -> its msgid: the fixed text between placeholders of
    every msgid of ours that has a word of three letters or more, minus what
    the zh translation keeps as it is (brand names, codes)."""
    found: dict[str, str] = {}
    for pot in TEMPLATES:
        zh_po = pot.parent / "zh" / "LC_MESSAGES" / "messages.po"
        with zh_po.open("rb") as fh:
            zh = read_po(fh, locale="zh")
        with pot.open("rb") as fh:
            template = read_po(fh)
        for message in template:
            if not message.id:
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            translated = zh.get(msgid)
            translation = translated.string if translated is not None else ""
            translation = translation if isinstance(translation, str) else " ".join(translation)
            for fragment in PLACEHOLDER.split(msgid):
                fragment = " ".join(fragment.split()).strip(" .,:;()[]-/'\"")
                words = WORD.findall(fragment)
                if not LONG_WORD.search(fragment) or all(w in SAME_IN_ZH for w in words):
                    continue
                if fragment in translation:
                    continue  # the zh text keeps it (a code, a name)
                found.setdefault(fragment, msgid)
    return found


def _letters(shown: str) -> str:
    return re.sub(r"[^a-z]", "", shown.lower())


def _pattern(fragments) -> re.Pattern:
    alternatives = sorted(fragments, key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(map(re.escape, alternatives))
                      + r")(?![\w])")


def _user_data(app) -> list[str]:
    """Every text value stored in the database (the demo's names, stages...)."""
    values: set[str] = set()
    with app.app_context():
        engine = db.engine
        inspector = inspect(engine)
        with engine.connect() as conn:
            for table in inspector.get_table_names():
                columns = [c["name"] for c in inspector.get_columns(table)
                           if isinstance(c["type"], (String, Text))]
                for column in columns:
                    for value, in conn.execute(text(
                            f'SELECT DISTINCT "{column}" FROM "{table}"')):
                        if not isinstance(value, str) or not WORD.search(value):
                            continue
                        if MACHINE_KEY.fullmatch(value) and table != "ab_user":
                            continue  # "call", "won", "confirmed": ours to label, not data
                        values.add(" ".join(value.split()))
    values.update(pytz.all_timezones)  # the time zone picker's IANA names
    for manifest in [*ROOT.glob("addons/*/__manifest__.py"),  # the addons' own words
                     *ROOT.glob("tests/addons/*/__manifest__.py")]:
        declared = ast.literal_eval(manifest.read_text(encoding="utf-8"))
        values.update((declared["name"], declared["summary"]))
    return sorted(values, key=len, reverse=True)


class Scanner:
    """Finds our English in what a page shows a person."""

    def __init__(self, app):
        self.fragments = _fragments()
        self.pattern = _pattern(self.fragments)
        self.whole = {_letters(f): m for f, m in self.fragments.items()}
        self.whole.update({"true": "Yes", "false": "No", "none": "(empty)"})
        self.user_data = _user_data(app)
        self.user_set = set(self.user_data)
        self.by_word: dict[str, list[str]] = {}  # a word -> the stored values holding it
        for value in self.user_data:
            for word in set(WORD.findall(value)):
                self.by_word.setdefault(word, []).append(value)

    def texts(self, page: str):
        tree = lxml_html.fromstring(page)
        page_lang = tree.getroottree().getroot().get("lang")
        other_language = {e for marked in tree.xpath("//body//*[@lang]")
                          if marked.get("lang") != page_lang for e in marked.iter()}
        for element in tree.iter():
            if not isinstance(element.tag, str) or element in other_language:
                continue  # comments; a language's own name in the language menu
            if element.tag not in SKIPPED_TAGS and element.text:
                yield element.text
            parent = element.getparent()
            if element.tail and (parent is None or parent.tag not in SKIPPED_TAGS):
                yield element.tail
            for name in ATTRIBUTES:
                if element.get(name):
                    yield element.get(name)
            if element.tag in ("input", "button") and \
                    element.get("type") in ("submit", "button", "reset") and element.get("value"):
                yield element.get("value")

    def english(self, page: str) -> list[tuple[str, str]]:
        """(text, msgid) of every text showing one of our msgids."""
        hits = []
        for raw in self.texts(page):
            shown = " ".join(raw.split())
            if not shown or not WORD.search(shown) or shown == "__None":  # select2's blank
                continue
            if FAB_PERMISSION.match(shown):  # FAB's permission names: identifiers
                continue
            spans = None
            for match in self.pattern.finditer(shown):
                spans = self._user_spans(shown) if spans is None else spans
                if not any(a <= match.start() and match.end() <= b for a, b in spans):
                    hits.append((shown, self.fragments[match.group(0)]))
                    break
            if not hits or hits[-1][0] is not shown:
                key = _letters(shown)
                if key in self.whole and _letters(self._without_user_data(shown)) == key:
                    # a raw key or value: "call", "won", "True"
                    hits.append((shown, self.whole[key]))
        return hits

    def _without_user_data(self, shown: str) -> str:
        if not WORD.search(shown) or shown in self.user_set:
            return ""
        for a, b in sorted(self._user_spans(shown), reverse=True):
            shown = shown[:a] + " " + shown[b:]
        return shown

    def _user_spans(self, shown: str) -> list[tuple[int, int]]:
        """Where stored values (those sharing a word with the text) occur in it."""
        spans = []
        candidates = {v for word in set(WORD.findall(shown)) for v in self.by_word.get(word, ())}
        for value in candidates:
            start = shown.find(value)
            while start != -1:
                spans.append((start, start + len(value)))
                start = shown.find(value, start + 1)
        return spans


def _get(client, url: str) -> str:
    resp = client.get(url, follow_redirects=True)  # a refusal's flash shows on the next page
    assert resp.status_code == 200, (url, resp.status_code)
    return resp.get_data(as_text=True)


def _menu(page: str) -> list[str]:
    tree = lxml_html.fromstring(page)
    links = []
    for href in tree.xpath("//div[contains(@class, 'navbar')]"
                           "//ul[contains(@class, 'dropdown-menu')]//a/@href"):
        if href.startswith("/") and not href.startswith(("/logout", "/lang/")):
            links.append(href)
    return list(dict.fromkeys(links))


def _record_pages(page: str, list_url: str) -> list[str]:
    """The add form and the first record's show and edit pages of a list."""
    match = LINK.match(list_url)
    if not match:
        return []
    view = match.group(1)
    hrefs = lxml_html.fromstring(page).xpath("//a/@href")
    out = []
    for kind in ("show", "edit"):
        first = next((h for h in hrefs if re.fullmatch(rf"/{view}/{kind}/\d+", h)), None)
        if first:
            out.append(first)
    if any(re.fullmatch(rf"/{view}/add/?", h.split("?")[0]) for h in hrefs):
        out.append(f"/{view}/add")
    return out


def _screens(client, role: str) -> list[str]:
    menu = _menu(_get(client, "/"))
    pages = EXTRA_PAGES[role] + menu
    for url in menu:
        pages += _record_pages(_get(client, url), url)
    return list(dict.fromkeys(pages))


def _switch(client, locale: str) -> None:
    resp = client.post("/preferences/language", data={
        "locale": locale, "next": "/", "csrf_token": csrf_token(_get(client, "/"))})
    assert resp.status_code == 302


CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _scan(client, scanner, pages) -> dict[str, tuple[list, bool]]:
    """url -> (our English on it, whether it shows Chinese)."""
    out = {}
    for url in pages:
        if not url.startswith(IDENTIFIER_PAGES):
            page = _get(client, url)
            out[url] = (scanner.english(page), bool(CHINESE.search(page)))
    return out


def _refusals(client, pages) -> list[str]:
    """The pages a salesperson sees after two refused actions on an open
    opportunity (the service's reason is flashed): marking it lost without a
    reason, restoring it while it is open."""
    show = next(url for url in pages if re.fullmatch(r"/opportunityview/show/\d+", url))
    pk = show.rsplit("/", 1)[1]
    shown = []
    for action in ("mark_lost", "restore"):
        token = csrf_token(_get(client, show))
        resp = client.post(f"/opportunityview/{action}/{pk}", data={"csrf_token": token},
                           follow_redirects=True)
        assert resp.status_code == 200, action
        shown.append(resp.get_data(as_text=True))
    return shown


@pytest.fixture
def demo_logins(app):
    """The sales demo, its salespeople and managers able to log in: passwords
    and the first salesperson's name."""
    from addons.sales.services.seeding.load_demo import load_demo
    from core.security.actor import SYSTEM, acting_as

    with app.app_context(), acting_as(SYSTEM):
        result = load_demo(db.session, logins=True)
        db.session.commit()
        sm = app.appbuilder.sm
        salespeople = sorted(name for name in result.passwords if "Salesperson" in {
            role.name for role in sm.find_user(username=name).roles})
    return result.passwords, salespeople[0]


def test_no_english_of_ours_on_any_screen_in_zh(app, client_as, demo_logins):
    passwords, salesperson = demo_logins
    admin = client_as("Admin")
    seller = app.test_client()
    login(seller, salesperson, passwords[salesperson])
    scanner = Scanner(app)
    assert len(scanner.fragments) > 300  # the catalogs were read
    report = []
    for role, client in (("Admin", admin), ("Salesperson", seller)):
        pages = _screens(client, role)
        assert len(pages) > 20, pages
        # not vacuous: in English each of the same pages shows some of our msgids
        in_english = _scan(client, scanner, pages)
        assert [url for url, (found, _) in in_english.items() if not found] == []
        _switch(client, "zh")
        in_chinese = _scan(client, scanner, pages)
        assert [url for url, (_, chinese) in in_chinese.items() if not chinese] == []
        for url, (found, _) in in_chinese.items():
            report += [f"{role} {url}: {shown!r} ({msgid!r})" for shown, msgid in found]
    # a service's refusal, flashed: in Chinese too
    lost, restore = _refusals(seller, pages)
    assert "标记为输单必须选择输单原因" in lost and "只有赢单或输单的记录才能恢复" in restore
    for page in (lost, restore):
        report += [f"refusal: {shown!r} ({msgid!r})" for shown, msgid in scanner.english(page)]
    assert not report, "\n".join(report)
