"""The Content-Security-Policy breaks no screen: with the sales addon and its
demo installed, an admin opens every navbar entry, a record's show and edit
pages, the pipeline board and Swagger UI in Chromium; no page reports a CSP
violation (console "Refused to ..." or a securitypolicyviolation event)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.actions import log_in
from tests.live_server import cli

pytestmark = pytest.mark.browser

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolation(
    `${location.pathname}: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`));
"""
EXTRA_PAGES = ["/", "/companyview/add", "/leadview/add", "/sales/board/", "/swagger/v1",
               "/users/userinfo/"]
FIRST_ROW_OF = ["/companyview", "/personview", "/leadview", "/salesorderview"]


def _menu_links(page, server) -> list[str]:
    hrefs = page.eval_on_selector_all(".navbar ul.dropdown-menu a[href]",
                                      "links => links.map(a => a.href)")
    paths = []
    for href in hrefs:
        url = urlsplit(href)
        if url.netloc == urlsplit(server.url).netloc and url.path not in ("/logout/",) \
                and not url.path.startswith("/lang/"):
            paths.append(url.path + (f"?{url.query}" if url.query else ""))
    return list(dict.fromkeys(paths))


def _first_record(page, server, view: str) -> list[str]:
    page.goto(f"{server.url}{view}/list/")
    show = page.locator(f"a[href^='{view}/show/']").first
    if not show.count():
        return []
    pk = show.get_attribute("href").rsplit("/", 1)[-1]
    return [f"{view}/show/{pk}", f"{view}/edit/{pk}"]


def test_no_page_violates_the_csp(server, page):
    cli(server, "addons", "install", "sales")
    cli(server, "sales", "demo")
    violations: list[str] = []
    page.expose_function("__cspViolation", lambda text: violations.append(text))
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda msg: violations.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text or msg.text.startswith("Refused to")
            else None)

    log_in(page, server)
    first = page.goto(server.url + "/")
    assert "frame-ancestors 'none'" in first.headers["content-security-policy"]
    pages = _menu_links(page, server)
    assert len(pages) > 15, pages  # Contacts, Sales, Integrations, Security... are there
    for view in FIRST_ROW_OF:
        pages += _first_record(page, server, view)
    for path in EXTRA_PAGES + pages:
        resp = page.goto(server.url + path)
        assert resp is not None and resp.status < 400, (path, resp and resp.status)
        page.wait_for_load_state("networkidle")
    assert not violations, "\n".join(violations)
    # Swagger UI rendered the spec (its script and the spec request were allowed)
    page.goto(server.url + "/swagger/v1")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
