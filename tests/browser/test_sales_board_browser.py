"""The pipeline board in Chromium against `crossdock run`: a salesperson drags a
card to another column and the column totals follow (and stay after a reload);
on a phone (390 x 844, touch) a finger drags a card by its grip and the card's
"Move to" menu moves another, and the page never scrolls sideways: the columns
scroll inside the board."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.browser.actions import WIDTH, assert_no_sideways_scroll, open_menu
from tests.live_server import EXAMPLE_ADDONS, REPO, cli

pytestmark = pytest.mark.browser

SELLER, PASSWORD = "seller", "Seller-pass-123"
# a salesperson in a team, three of their opportunities and one of a colleague,
# written through the application's models into the server's database
SEED = """
import json
from decimal import Decimal
from core.app import create_app
from core.db import db
from core.security.teams import Team
from core.users import create_user
from addons.sales.models import Lead, Stage

app = create_app()
with app.app_context():
    sm = app.appbuilder.sm
    seller = create_user(sm, "seller", "seller@example.com", "Seller-pass-123", ["Salesperson"])
    other = create_user(sm, "colleague", "colleague@example.com", "Other-pass-123",
                        ["Salesperson"])
    team = Team(name="East")
    team.members.extend([seller, other])
    db.session.add(team)
    db.session.flush()
    stages = {s.name: s for s in db.session.query(Stage).filter(Stage.team_id.is_(None))}
    for name, owner, stage, amount in [("Deal Alpha", seller, "New", "1000"),
                                       ("Deal Beta", seller, "New", "500"),
                                       ("Deal Gamma", seller, "Qualified", "200"),
                                       ("Hidden Deal", other, "New", "9999")]:
        db.session.add(Lead(name=name, type="opportunity", owner_id=owner.id,
                            team_id=team.id, stage_id=stages[stage].id,
                            expected_revenue=Decimal(amount), priority=1))
    db.session.commit()
    print(json.dumps({k: s.id for k, s in stages.items()}))
"""


def _seed(server) -> dict[str, int]:
    cli(server, "addons", "install", "sales")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    env.update(CROSSDOCK_INSTANCE_PATH=str(server.instance),
               CROSSDOCK_ADDONS_PATH=str(EXAMPLE_ADDONS))
    out = subprocess.run([sys.executable, "-c", SEED], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _log_in_as_seller(page, server):
    page.goto(server.url + "/login/")
    page.fill("input[name=username]", SELLER)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form[name=login] input[type=submit]")


def _column(page, stage_id):
    return page.locator(f'.board-column[data-stage-id="{stage_id}"]')


def _expect_totals(page, stage_id, count, total):
    column = _column(page, stage_id)
    expect(column.locator(".board-count")).to_have_text(str(count))
    expect(column.locator(".board-total")).to_have_text(total)


def test_salesperson_drags_a_card_and_totals_follow(server, page):
    stages = _seed(server)
    _log_in_as_seller(page, server)
    open_menu(page, "Sales", "Pipeline")
    assert "/sales/board/" in page.url
    _expect_totals(page, stages["New"], 2, "1,500.00 CNY")  # the colleague's deal is not counted
    _expect_totals(page, stages["Qualified"], 1, "200.00 CNY")
    expect(page.locator(".board-card", has_text="Hidden Deal")).to_have_count(0)

    card = page.locator(".board-card", has_text="Deal Alpha")
    card.drag_to(_column(page, stages["Qualified"]))
    _expect_totals(page, stages["Qualified"], 2, "1,200.00 CNY")
    _expect_totals(page, stages["New"], 1, "500.00 CNY")
    expect(_column(page, stages["Qualified"]).locator(".board-card", has_text="Deal Alpha")) \
        .to_be_visible()
    expect(page.locator(".board-message")).to_be_hidden()

    page.reload()  # the move was stored
    expect(_column(page, stages["Qualified"]).locator(".board-card", has_text="Deal Alpha")) \
        .to_be_visible()
    _expect_totals(page, stages["New"], 1, "500.00 CNY")

    # dropped on the folded Won column: marked won, counted there, no longer a card
    page.locator(".board-card", has_text="Deal Gamma").drag_to(_column(page, stages["Won"]))
    _expect_totals(page, stages["Won"], 1, "200.00 CNY")
    _expect_totals(page, stages["Qualified"], 1, "1,000.00 CNY")

    # dropped on the Lost zone (shown while dragging): the reason is asked first
    beta = page.locator(".board-card", has_text="Deal Beta")
    beta.drag_to(page.locator(".board-zone-lost"))
    dialog = page.locator("#board-lost-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("button[type=submit]").click()  # no reason yet: the browser asks for one
    expect(dialog).to_be_visible()
    dialog.locator("select").select_option(label="Too expensive")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden()
    expect(beta).to_have_count(0)
    _expect_totals(page, stages["New"], 0, "0.00 CNY")

    # a refused move (Deal Alpha was marked lost in another tab meanwhile): the
    # card goes back to its column and the server's message is shown
    token = page.locator(".sales-board-page").get_attribute("data-csrf")
    alpha_id = page.locator(".board-card", has_text="Deal Alpha").get_attribute("data-lead-id")
    reason = page.locator("#board-lost-reason option", has_text="No budget").get_attribute("value")
    elsewhere = page.request.post(server.url + "/sales/board/lost", headers={"X-CSRFToken": token},
                                  data={"lead_id": int(alpha_id), "reason_id": int(reason)})
    assert elsewhere.ok, elsewhere.text()
    page.locator(".board-card", has_text="Deal Alpha").drag_to(_column(page, stages["New"]))
    expect(page.locator(".board-message")).to_contain_text("lost")
    expect(_column(page, stages["Qualified"]).locator(".board-card", has_text="Deal Alpha")) \
        .to_be_visible()
    _expect_totals(page, stages["Qualified"], 1, "1,000.00 CNY")  # as the page last knew


def test_move_to_menu_on_a_phone(server, browser):
    stages = _seed(server)
    context = browser.new_context(viewport={"width": WIDTH, "height": 844},
                                  device_scale_factor=3, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        _log_in_as_seller(page, server)
        page.goto(server.url + "/sales/board/")
        expect(page.locator(".board-card", has_text="Deal Beta")).to_be_visible()
        assert_no_sideways_scroll(page, "sales-board")
        # the columns are wider than the phone together: they scroll inside the board
        board = page.locator("#sales-board")
        assert board.evaluate("b => b.scrollWidth > b.clientWidth")

        # a finger drags Deal Alpha by its grip onto the next column, peeking at the right
        grip = page.locator(".board-card", has_text="Deal Alpha").locator(".board-grip")
        box = grip.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        touch = page.context.new_cdp_session(page)
        touch.send("Input.dispatchTouchEvent", {"type": "touchStart",
                                                "touchPoints": [{"x": x, "y": y}]})
        for step in range(1, 11):
            touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [
                {"x": x + (WIDTH - 15 - x) * step / 10, "y": y}]})
        touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        _expect_totals(page, stages["Qualified"], 2, "1,200.00 CNY")
        _expect_totals(page, stages["New"], 1, "500.00 CNY")
        assert_no_sideways_scroll(page, "sales-board-dragged")

        card = page.locator(".board-card", has_text="Deal Beta")
        card.locator("select.board-move").select_option(str(stages["Proposition"]))
        _expect_totals(page, stages["Proposition"], 1, "500.00 CNY")
        _expect_totals(page, stages["New"], 0, "0.00 CNY")
        moved = _column(page, stages["Proposition"]).locator(".board-card", has_text="Deal Beta")
        moved.scroll_into_view_if_needed()
        expect(moved).to_be_visible()
        box = moved.bounding_box()  # within the screen, so a finger reaches it
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
        assert_no_sideways_scroll(page, "sales-board-moved")
    finally:
        context.close()
