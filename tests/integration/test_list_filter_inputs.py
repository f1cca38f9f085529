"""The list screens' filter inputs are rendered once and kept
(core/views/search_fields.py): what a user picks from must still be today's
options, in their language, and only the options their record rules allow."""
from __future__ import annotations

import json
import re

import pytest

from core.db import db

pytestmark = pytest.mark.addons("contacts")


def filter_inputs(client) -> dict[str, str]:
    """The HTML of each filter input, as FAB's AdminFilters script gets it."""
    page = client.get("/companyview/list/").get_data(as_text=True)
    match = re.search(r"new AdminFilters\(\s*'#filter_form',\s*(\{.*?\}),\s*(\{.*?\}),\s*\{",
                      page, re.S)
    assert match, "no filter form on the company list"
    return json.loads(match.group(2))


def test_a_new_tag_and_a_renamed_tier_show_at_once(app, client_as):
    from addons.contacts.models import Tag, Tier

    admin = client_as("Admin")
    before = filter_inputs(admin)
    assert "Export-VIP" not in before["tags"]
    with app.app_context():
        db.session.add(Tag(name="Export-VIP"))
        tier = db.session.query(Tier).order_by(Tier.id).first()
        old_name, tier.name = tier.name, "Platinum+"
        db.session.commit()
    after = filter_inputs(admin)
    assert "Export-VIP" in after["tags"]
    assert "Platinum+" in after["tier"] and f">{old_name}<" not in after["tier"]
    assert filter_inputs(admin) == after  # kept, and the same when nothing changed


def test_each_language_gets_its_own_inputs(app, client_as):
    english = client_as("Admin")
    chinese = client_as("Admin", username="admin_zh")
    assert chinese.post("/preferences/language", data={
        "locale": "zh", "next": "/", "csrf_token": chinese.csrf_token}).status_code == 302
    en, zh = filter_inputs(english), filter_inputs(chinese)
    assert en.keys() == zh.keys()
    differ = [name for name in en if en[name] != zh[name]]
    assert differ, "no filter input says anything in words"
    assert en == filter_inputs(english)  # the English ones were not replaced by Chinese
