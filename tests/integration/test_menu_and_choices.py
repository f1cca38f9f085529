"""What the per-process caches of the page frame may not change (issue 21):
the menu, rendered once per (permissions, language, active addons), follows a
permission taken away, another language and a disabled addon on the very next
page; a search form's relation filter, read in one light query, still offers
every row, labelled as before, in key order."""
from __future__ import annotations

import re

import pytest

from core.addons import lifecycle
from core.db import db

pytestmark = pytest.mark.addons("sales")
MENU_LINK = re.compile(r'<a tabindex="-1" href="([^"]+)"')
OPTIONS = re.compile(r'<option[^>]*value="(\d+)"[^>]*>([^<]*)</option>')


def menu_links(client) -> set[str]:
    page = client.get("/companyview/list/")
    assert page.status_code == 200
    return set(MENU_LINK.findall(page.get_data(as_text=True)))


def test_the_menu_follows_a_permission_taken_from_the_role(app, client_as):
    sales = client_as("Salesperson")
    before = menu_links(sales)
    assert "/opportunityview/list/" in before
    with app.app_context():
        sm = app.appbuilder.sm
        role = sm.find_role("Salesperson")
        pv = sm.find_permission_view_menu("menu_access", "Opportunities")
        sm.del_permission_role(role, pv)
    after = menu_links(sales)
    assert before - after == {"/opportunityview/list/"}


def test_a_permission_taken_in_another_process_holds_on_the_next_request(app, make_app,
                                                                        client_as):
    """Each process keeps the roles' permissions until the permissions version
    moves: a role changed through another process's session moves it."""
    sales = client_as("Salesperson")  # served by `app`
    assert sales.get("/opportunityview/list/").status_code == 200
    other = make_app()  # a second process on the same database
    with other.app_context():
        sm = other.appbuilder.sm
        sm.del_permission_role(sm.find_role("Salesperson"),
                               sm.find_permission_view_menu("can_list", "OpportunityView"))
    assert sales.get("/opportunityview/list/").status_code in (302, 403)


def test_the_menu_is_per_role_and_per_language(app, client_as):
    admin, sales = client_as("Admin"), client_as("Salesperson")
    assert "/users/list/" in menu_links(admin)
    assert "/users/list/" not in menu_links(sales)
    english = sales.get("/companyview/list/").get_data(as_text=True)
    sales.post("/preferences/language", data={"locale": "zh", "next": "/",
                                              "csrf_token": sales.csrf_token})
    chinese = sales.get("/companyview/list/").get_data(as_text=True)
    flat = re.compile(r"\s+")
    assert "&nbsp; Opportunities</a>" in flat.sub(" ", english)
    assert "&nbsp; 商机</a>" in flat.sub(" ", chinese)
    assert "Opportunities</a>" not in chinese


def test_the_menu_drops_a_disabled_addons_entries_on_the_next_page(app, client_as):
    admin = client_as("Admin")
    assert "/opportunityview/list/" in menu_links(admin)
    with app.app_context():
        lifecycle.disable(db.session, app.extensions["crossdock"].runtime, ["sales"])
        app.extensions["crossdock"].runtime.gate.refresh(force=True)
    assert not {link for link in menu_links(admin) if "opportunity" in link}


def test_relation_filters_offer_every_row_by_key_with_its_label(app, client_as):
    sales = client_as("Salesperson", team="North")
    client_as("Salesperson", team="South", username="southern")
    client_as("Salesperson", team="East", username="eastern")
    with app.app_context():
        from core.security.teams import Team
        teams = sorted((t.id, t.name) for t in db.session.query(Team))
    page = sales.get("/companyview/list/").get_data(as_text=True)
    # FAB puts the filter widgets into the page as a JSON object of HTML strings
    page = page.replace("\\u003c", "<").replace("\\u003e", ">").replace('\\"', '"')
    team_select = re.search(r'<select[^>]*name="team"[^>]*>(.*?)</select>', page).group(1)
    assert OPTIONS.findall(team_select) == [(str(i), n) for i, n in teams]
    assert [n for _, n in teams] == ["North", "South", "East"]
