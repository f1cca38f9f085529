"""No page of Crossdock loads anything from another host: every script,
stylesheet, image and frame an Admin's pages reference is served by Crossdock
itself (an intranet without internet access sees every page whole), and no
script it serves is Google Charts' loader (FAB's "User's Statistics" pulled
the charts from www.gstatic.com at run time)."""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

from tests.helpers import add_user, install, login

SKIPPED_PREFIXES = ("/static/", "/api/", "/appbuilder/", "/logout")
REMOTE_LOADER = ("gstatic.com", "google.com/jsapi", "googleapis.com")


class _References(HTMLParser):
    """URLs of the resources a page makes the browser load."""
    ATTRIBUTES = {"script": "src", "link": "href", "img": "src", "iframe": "src",
                  "source": "src"}

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        wanted = self.ATTRIBUTES.get(tag)
        value = dict(attrs).get(wanted) if wanted else None
        if value:
            self.urls.append(value)


def _pages(app) -> list[str]:
    """Every GET route without arguments: lists, add forms, charts, screens."""
    paths = {rule.rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and not rule.arguments}
    return sorted(p for p in paths if not p.startswith(SKIPPED_PREFIXES))


def test_every_page_loads_only_from_this_server(app):
    install(app, "sales")
    add_user(app, "boss", ["Admin"])
    client = app.test_client()
    login(client, "boss")
    assert "/userstatschart/chart/" in _pages(app)

    external, scripts, html_pages = {}, set(), 0
    for path in _pages(app):
        resp = client.get(path)
        if resp.status_code != 200 or resp.mimetype != "text/html":
            continue
        html_pages += 1
        refs = _References()
        refs.feed(resp.get_data(as_text=True))
        for url in refs.urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:  # absolute or //host/...: another host
                if parts.hostname not in ("localhost", None):
                    external.setdefault(path, []).append(url)
            elif url.endswith(".js"):
                scripts.add(parts.path)
    assert html_pages > 50
    assert not external, external

    loaders = [s for s in sorted(scripts)
               if any(host in client.get(s).get_data(as_text=True) for host in REMOTE_LOADER)]
    assert not loaders, f"scripts that load code from another host: {loaders}"
